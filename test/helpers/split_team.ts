import { team } from "../../engine/cpu/wasm/team.js";

/**
 * Makes the CPU kernel team split every call, however small, over
 * `threads` threads, whatever other processes run beside it (no work
 * threshold, no adaptation to the machine's load); returns what puts the
 * team's settings back.
 */
export function splitEveryCall(threads = team.threads): () => void {
  const saved = { threads: team.threads, minWork: team.minWork, adaptive: team.adaptive };
  Object.assign(team, { threads, minWork: 0, adaptive: false });
  return () => Object.assign(team, saved);
}
