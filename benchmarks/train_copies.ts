// What the machine's cores give a training step without any threading of
// ours: copies of the one-thread step, each in its own worker with its own
// engine and memory, run at the same time as the timed one. With c cores,
// c x (step alone) / (step beside c - 1 busy copies) is the most any split
// of one step over c threads could get here: it has no serial part and no
// waiting, and pays only what the cores lose by running at once (shared
// caches, memory bandwidth, clock, other tenants of the host).
import { Worker } from "node:worker_threads";
import { team } from "../engine/cpu/wasm/team.js";
import { estimateMedian, type MedianEstimate } from "./median_interval.js";
import { median } from "./timing.js";
import { runStep, trainCases } from "./train_cases.js";

/** Slots of the shared control words. */
export const COPY_SLOTS = { ready: 0, run: 1, running: 2 } as const;
/** Values of the run slot. */
export const COPY_RUN = { pause: 0, go: 1, exit: 2 } as const;

export interface CopiesTiming {
  /** Median ms of the one-thread step alone. */
  alone: number;
  /** Median ms of the same step while the copies run. */
  beside: number;
  /** Median over turns of (copies + 1) x alone / beside, with its interval: the speedup the cores give independent copies. */
  speedup: MedianEstimate;
}

/** Blocks until the slot holds `value`; a worker that died would leave it waiting, hence the limit. */
function waitFor(c: Int32Array, slot: number, value: number, limitMs = 120_000): void {
  const t0 = performance.now();
  for (let v = Atomics.load(c, slot); v !== value; v = Atomics.load(c, slot)) {
    if (performance.now() - t0 > limitMs) throw new Error(`bench:train: the copy workers did not reach ${value} in slot ${slot} within ${limitMs / 1000} s`);
    Atomics.wait(c, slot, v, 50);
  }
}

/**
 * Times `steps` one-thread steps of trainCases[index] alone and as many beside
 * `copies` busy copies, taking turns step by step so the machine's drift
 * falls on both alike; the speedup is the median of each turn's own ratio,
 * since this machine's speed swings by a third from one step to the next.
 */
export async function timeBesideCopies(index: number, copies: number, steps: number): Promise<CopiesTiming> {
  const c = new Int32Array(new SharedArrayBuffer(4 * 3));
  const url = new URL("./train_copy_worker.mjs", import.meta.url);
  const workers = Array.from({ length: copies }, () => new Worker(url, { workerData: { control: c.buffer, index } }));
  const exited = workers.map((w) => new Promise<void>((resolve, reject) => {
    w.once("error", reject);
    w.once("exit", (code) => (code === 0 ? resolve() : reject(new Error(`bench:train: a copy worker exited with code ${code}`))));
  }));
  const saved = team.threads;
  team.threads = 1;
  // alone and beside each step their own setup of the same seed, so both see the same sequence of paths
  const setups = [trainCases[index]!.make(), trainCases[index]!.make()] as const;
  try {
    // the workers build their copies while this thread warms up its own
    for (const s of setups) {
      runStep(s);
      runStep(s);
    }
    await Promise.race([Promise.all(exited), new Promise<void>((resolve) => {
      const poll = () => (Atomics.load(c, COPY_SLOTS.ready) === copies ? resolve() : setTimeout(poll, 20));
      poll();
    })]);
    if (Atomics.load(c, COPY_SLOTS.ready) !== copies) throw new Error("bench:train: the copy workers ended before they were ready");
    const alone: number[] = [], beside: number[] = [];
    for (let i = 0; i < steps; i++) {
      waitFor(c, COPY_SLOTS.running, 0);
      let t0 = performance.now();
      runStep(setups[0]);
      alone.push(performance.now() - t0);
      Atomics.store(c, COPY_SLOTS.run, COPY_RUN.go);
      Atomics.notify(c, COPY_SLOTS.run);
      waitFor(c, COPY_SLOTS.running, copies);
      t0 = performance.now();
      runStep(setups[1]);
      beside.push(performance.now() - t0);
      Atomics.store(c, COPY_SLOTS.run, COPY_RUN.pause);
    }
    return { alone: median(alone), beside: median(beside), speedup: estimateMedian(alone.map((a, i) => ((copies + 1) * a) / beside[i]!)) };
  } finally {
    Atomics.store(c, COPY_SLOTS.run, COPY_RUN.exit);
    Atomics.notify(c, COPY_SLOTS.run);
    await Promise.allSettled(exited);
    for (const s of setups) s.dispose();
    team.threads = saved;
  }
}
