// Other tenants of the machine, for `--busy N`: N one-thread processes that
// spin until stopped, as another user's job would hold a core. They can be
// paused (SIGSTOP) so that a benchmark times its idle reference in the same
// run, between turns beside them.
import { spawn, type ChildProcess } from "node:child_process";
import { HOLD_WINDOWS, WINDOW_MS } from "../engine/cpu/wasm/machine_load.js";

export interface BusyProcesses {
  readonly count: number;
  readonly pids: readonly number[];
  /** Stops them running (they keep their place, like a suspended job) until resume(). */
  pause(): void;
  resume(): void;
  /** Ends them; also done when this process exits. */
  stop(): void;
}

/**
 * A busy process's program: it spins, and ends once its parent is gone
 * (its parent id changes), so that a benchmark or test killed outright
 * (SIGKILL, no exit handler) leaves no process spinning behind; the check
 * costs a system call every few milliseconds.
 */
const SPIN = "const parent = process.ppid; process.stdout.write('spinning\\n'); for (let i = 1; ; i++) if (i % 1e6 === 0 && process.ppid !== parent) process.exit();";

/** Parses `--busy N` (N whole, 0 or more) from the arguments; 0 when absent. */
export function parseBusy(args: readonly string[], what: string): number {
  const at = args.indexOf("--busy");
  if (at < 0) return 0;
  const text = args[at + 1] ?? "";
  if (!/^[0-9]+$/.test(text) || Number(text) > 64) throw new Error(`${what}: --busy expects a whole number of busy processes from 0 to 64, received '${text}'`);
  return Number(text);
}

/** Starts `count` spinning one-thread processes and waits until each runs. */
export async function startBusy(count: number): Promise<BusyProcesses> {
  const children: ChildProcess[] = [];
  const signal = (s: NodeJS.Signals) => { for (const c of children) if (c.exitCode === null) c.kill(s); };
  const stop = () => signal("SIGKILL");
  process.once("exit", stop);
  for (let i = 0; i < count; i++) {
    const child = spawn(process.execPath, ["-e", SPIN], { stdio: ["ignore", "pipe", "inherit"] });
    children.push(child);
    await new Promise<void>((resolve, reject) => {
      child.once("error", reject);
      child.stdout!.once("data", () => resolve());
    });
  }
  return { count, pids: children.map((c) => c.pid!), pause: () => signal("SIGSTOP"), resume: () => signal("SIGCONT"), stop };
}

/** Waits 20 ms: lets a signal reach the busy processes and the scheduler act on it before the next timing. */
export function settle(): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
}

/**
 * How long to run the whole team beside the busy processes after they were
 * paused, before the next timing: the kernel team sizes itself by the fewest
 * threads any of its last HOLD_WINDOWS windows of WINDOW_MS asked for
 * (machine_load.ts), and a window that spans a pause sees fewer busy
 * processes than there are (beside two on 2 cores, one: so one thread).
 * One window more than those, so that the oldest one left began after the
 * pause.
 */
export const SETTLE_AFTER_PAUSE_MS = (HOLD_WINDOWS + 1) * WINDOW_MS;

/** Runs `work` until SETTLE_AFTER_PAUSE_MS have passed. */
export function settleAfterPause(work: () => void): void {
  const t0 = performance.now();
  do work(); while (performance.now() - t0 < SETTLE_AFTER_PAUSE_MS);
}
