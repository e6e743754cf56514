// Rank correlation between predicted and true scores (paper, appendix C).

function check(x: ArrayLike<number>, y: ArrayLike<number>, what: string): void {
  if (x.length !== y.length) throw new Error(`${what}: ${x.length} and ${y.length} values`);
  if (x.length < 2) throw new Error(`${what}: needs at least 2 items, received ${x.length}`);
}

export function pearson(x: ArrayLike<number>, y: ArrayLike<number>): number {
  check(x, y, "pearson");
  const n = x.length;
  let mx = 0, my = 0;
  for (let i = 0; i < n; i++) { mx += x[i]!; my += y[i]!; }
  mx /= n; my /= n;
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i]! - mx, dy = y[i]! - my;
    sxy += dx * dy; sxx += dx * dx; syy += dy * dy;
  }
  return sxy / Math.sqrt(sxx * syy);
}

/** Ranks from 1, tied values sharing their average rank. */
export function averageRanks(v: ArrayLike<number>): Float64Array {
  const order = Array.from({ length: v.length }, (_, i) => i).sort((a, b) => v[a]! - v[b]!);
  const ranks = new Float64Array(v.length);
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j + 1 < order.length && v[order[j + 1]!] === v[order[i]!]) j++;
    for (let k = i; k <= j; k++) ranks[order[k]!] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return ranks;
}

/** Spearman's rho: Pearson's correlation of average ranks (exact with ties). */
export function spearman(x: ArrayLike<number>, y: ArrayLike<number>): number {
  check(x, y, "spearman");
  return pearson(averageRanks(x), averageRanks(y));
}

/** Pairs tied within runs of equal values of `key` over `order` (sum of t(t-1)/2). */
function tiedPairs(order: readonly number[], same: (a: number, b: number) => boolean): number {
  let total = 0;
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j + 1 < order.length && same(order[i]!, order[j + 1]!)) j++;
    const t = j - i + 1;
    total += (t * (t - 1)) / 2;
    i = j + 1;
  }
  return total;
}

/**
 * Pair counts in O(n log n) (Knight 1966): sort by x then y, count ties in x
 * (n1) and joint ties (n3), then the inversions of y by merge sort (swaps)
 * and the ties in y (n2). Concordant minus discordant pairs is
 * n0 - n1 - n2 + n3 - 2 * swaps, with n0 = n (n - 1) / 2.
 */
function pairCounts(x: ArrayLike<number>, y: ArrayLike<number>): { n0: number; n1: number; n2: number; concordantMinusDiscordant: number } {
  const n = x.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => x[a]! - x[b]! || y[a]! - y[b]!);
  const n1 = tiedPairs(order, (a, b) => x[a] === x[b]);
  const n3 = tiedPairs(order, (a, b) => x[a] === x[b] && y[a] === y[b]);
  // inversions of y in x-order: pairs with x_i < x_j and y_i > y_j (ties in x never inverted: sorted by y within them)
  const ys = Float64Array.from(order, (i) => y[i]!);
  const tmp = new Float64Array(n);
  let swaps = 0;
  for (let width = 1; width < n; width *= 2) {
    for (let lo = 0; lo < n; lo += 2 * width) {
      const mid = Math.min(lo + width, n), hi = Math.min(lo + 2 * width, n);
      let i = lo, j = mid, k = lo;
      while (i < mid && j < hi) {
        if (ys[j]! < ys[i]!) { swaps += mid - i; tmp[k++] = ys[j++]!; } else tmp[k++] = ys[i++]!;
      }
      while (i < mid) tmp[k++] = ys[i++]!;
      while (j < hi) tmp[k++] = ys[j++]!;
      for (let t = lo; t < hi; t++) ys[t] = tmp[t]!;
    }
  }
  const sortedY = Array.from(ys.keys());
  const n2 = tiedPairs(sortedY, (a, b) => ys[a] === ys[b]);
  const n0 = (n * (n - 1)) / 2;
  return { n0, n1, n2, concordantMinusDiscordant: n0 - n1 - n2 + n3 - 2 * swaps };
}

/** Kendall's tau-b: (concordant - discordant) / sqrt((n0 - ties in x) (n0 - ties in y)). */
export function kendallTauB(x: ArrayLike<number>, y: ArrayLike<number>): number {
  check(x, y, "kendallTauB");
  const c = pairCounts(x, y);
  return c.concordantMinusDiscordant / Math.sqrt((c.n0 - c.n1) * (c.n0 - c.n2));
}

/** Kendall's tau-a, the paper's Eq. 18: (concordant - discordant) / all pairs; a pair tied in either counts as neither. */
export function kendallTauA(x: ArrayLike<number>, y: ArrayLike<number>): number {
  check(x, y, "kendallTauA");
  const c = pairCounts(x, y);
  return c.concordantMinusDiscordant / c.n0;
}

/**
 * The paper's high-performance-group tau (appendix C.1): the top `k` items by
 * truth form the high group; over pairs with one member from each group,
 * (concordant - discordant) / pairs, where a pair is concordant when the
 * prediction also ranks the high member above the low one (ties count as
 * neither). O(n log n).
 */
export function highGroupTau(truth: ArrayLike<number>, pred: ArrayLike<number>, k: number): number {
  check(truth, pred, "highGroupTau");
  const n = truth.length;
  if (!(Number.isInteger(k) && k >= 1 && k < n)) throw new Error(`highGroupTau: expected 1 <= k < ${n}, received ${k}`);
  const byTruth = Array.from({ length: n }, (_, i) => i).sort((a, b) => truth[b]! - truth[a]!);
  const high = byTruth.slice(0, k), low = Float64Array.from(byTruth.slice(k), (i) => pred[i]!).sort();
  const below = (v: number, strict: boolean) => { // low members with pred < v (or <= v)
    let lo = 0, hi = low.length;
    while (lo < hi) { const m = (lo + hi) >> 1; if (strict ? low[m]! < v : low[m]! <= v) lo = m + 1; else hi = m; }
    return lo;
  };
  let conc = 0, disc = 0;
  for (const h of high) {
    const v = pred[h]!;
    conc += below(v, true);
    disc += low.length - below(v, false);
  }
  return (conc - disc) / (high.length * low.length);
}
