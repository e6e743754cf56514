import b from "benny";

/** The middle value (the upper one of an even count). */
export function median(values: readonly number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
}

const seconds = (fn: () => void) => {
  const t0 = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t0) / 1e9;
};

/**
 * Median seconds per call of fn, measured by benny (benchmark.js). A call
 * slower than a second (tfjs-cpu's gradient kernels take up to minutes)
 * would keep benchmark.js busy for many minutes, so such cases take the
 * median of three plain timed calls instead (one call past five seconds).
 */
export async function medianSeconds(name: string, fn: () => void, quick: boolean): Promise<number> {
  const first = seconds(fn);
  if (first > 5) return first; // one call is all a multi-second kernel gets
  if (first > 1) {
    const runs = [first, seconds(fn), seconds(fn)].sort((x, y) => x - y);
    return runs[1]!;
  }
  let median = NaN;
  await b.suite(name,
    b.add(name, fn),
    b.configure({ cases: { minSamples: quick ? 2 : 5, maxTime: quick ? 0.2 : 1, delay: 0 } }),
    b.complete((summary) => { median = summary.results[0]!.details.median; }),
  );
  return median;
}

/**
 * Median seconds per call, for work that may only be queued (on a GPU `fn`
 * records, and `sync` waits for the queue to drain; on the CPU, for the
 * kernel team's queue): each round runs enough calls to take about a
 * quarter second, then syncs. The first call (pipeline compilation, page
 * faults) is not timed; a call past five seconds is timed once. The WebGPU
 * benchmark times its CPU, GPU and peer columns all this way.
 */
export async function loopMedianSeconds(fn: () => void, sync: () => Promise<void>, quick: boolean): Promise<number> {
  fn();
  await sync();
  const t0 = performance.now();
  fn();
  await sync();
  const one = (performance.now() - t0) / 1000;
  if (one > 5) return one;
  const calls = Math.max(1, Math.min(100, Math.floor(0.25 / one)));
  const times: number[] = [];
  for (let r = 0; r < (quick ? 3 : 7); r++) {
    const t = performance.now();
    for (let i = 0; i < calls; i++) fn();
    await sync();
    times.push((performance.now() - t) / 1000 / calls);
  }
  return times.sort((x, y) => x - y)[Math.floor(times.length / 2)]!;
}
