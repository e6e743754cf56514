// One-thread timings on one named core (Linux's taskset), kshot's and its
// peer's alike: on this benchmark's 2-core VM one core ran vector code up to
// 1.5x slower than the other, and which one changed within the hour, so a
// one-thread ratio between two processes the scheduler placed apart said as
// much about the cores as about the code (docs/benchmarks.md).
import { spawnSync } from "node:child_process";

/** The core the one-thread lanes run on. */
export const PIN_CORE = 0;

/** Whether taskset is here to pin with. */
export function canPin(): boolean {
  return process.platform === "linux" && spawnSync("taskset", ["-V"], { stdio: "ignore" }).status === 0;
}

/**
 * Pins the thread `tid` (on Linux the process id names its main thread; the
 * kernel team's helpers keep their own affinity) to `cores` (taskset's list
 * syntax, e.g. "0" or "0-1"). Throws if taskset refuses.
 */
export function pinThread(tid: number, cores: string): void {
  const r = spawnSync("taskset", ["-p", "-c", cores, String(tid)], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`taskset could not pin thread ${tid} to cores ${cores}: ${r.stderr.trim()}`);
}

/** `command` run pinned to `core`. */
export function pinnedCommand(command: readonly string[], core: number): string[] {
  return ["taskset", "-c", String(core), ...command];
}
