import { median } from "./timing.js";

/**
 * The percentile-bootstrap interval of a median (timing.ts's median: the
 * upper middle value of an even count), for the speedups the benchmarks
 * report from a few dozen noisy turns: the `level` central part of the
 * distribution of the median of n draws with replacement from the n values.
 *
 * Computed exactly instead of by resampling, so the same timings always
 * give the same interval and no seed is involved: the median of a resample
 * is at most the k-th smallest value exactly when at least floor(n/2) + 1 of
 * its n draws are, which happens with probability P(Bin(n, k/n) >= floor(n/2) + 1)
 * (ties included, since a run of equal values ends at the count of values
 * up to it).
 */
export function medianInterval(values: readonly number[], level = 0.9): [low: number, high: number] {
  if (values.length === 0) throw new Error("medianInterval: expected at least one value, received none");
  if (!(level > 0 && level < 1)) throw new Error(`medianInterval: expected a level between 0 and 1, received ${level}`);
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  const need = Math.floor(n / 2) + 1;
  const logFactorial = [0];
  for (let i = 1; i <= n; i++) logFactorial.push(logFactorial[i - 1]! + Math.log(i));
  /** P(the resampled median <= the k-th smallest value), k from 1. */
  const cdf = (k: number) => {
    if (k === n) return 1;
    const p = k / n;
    let tail = 0;
    for (let j = need; j <= n; j++) tail += Math.exp(logFactorial[n]! - logFactorial[j]! - logFactorial[n - j]! + j * Math.log(p) + (n - j) * Math.log1p(-p));
    return tail;
  };
  const quantile = (q: number) => {
    for (let k = 1; k < n; k++) if (cdf(k) >= q) return sorted[k - 1]!;
    return sorted[n - 1]!;
  };
  return [quantile((1 - level) / 2), quantile((1 + level) / 2)];
}

/** A median and its 90% bootstrap interval: how bench:train reports each speedup, from the turns' own ratios. */
export interface MedianEstimate { median: number; interval: [low: number, high: number] }

export function estimateMedian(values: readonly number[]): MedianEstimate {
  return { median: median(values), interval: medianInterval(values) };
}
