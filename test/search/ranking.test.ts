import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Rng } from "../../engine/index.js";
import { averageRanks, highGroupTau, kendallTauA, kendallTauB, pearson, spearman } from "../../nas/search/ranking.js";

/** O(n^2) tau-b straight from the definition. */
function tauBRef(x: number[], y: number[]): number {
  let c = 0, d = 0, tx = 0, ty = 0;
  for (let i = 0; i < x.length; i++) for (let j = i + 1; j < x.length; j++) {
    const a = Math.sign(x[i]! - x[j]!), b = Math.sign(y[i]! - y[j]!);
    if (a === 0 && b === 0) continue;
    if (a === 0) { tx++; continue; }
    if (b === 0) { ty++; continue; }
    if (a === b) c++; else d++;
  }
  return (c - d) / Math.sqrt((c + d + tx) * (c + d + ty));
}

describe("ranking metrics", () => {
  it("Kendall tau-b matches the O(n^2) definition, ties included", () => {
    const rng = new Rng(5);
    for (const n of [2, 3, 17, 200]) {
      const x = Array.from({ length: n }, () => rng.int(6)), y = x.map((v) => (rng.uniform() < 0.6 ? v + rng.int(3) : rng.int(8)));
      if (new Set(x).size < 2 || new Set(y).size < 2) continue;
      assert.ok(Math.abs(kendallTauB(x, y) - tauBRef(x, y)) < 1e-12, `n = ${n}`);
    }
  });

  it("known values: perfect, reversed, and scipy's example with ties", () => {
    assert.equal(kendallTauB([1, 2, 3, 4], [10, 20, 30, 40]), 1);
    assert.equal(kendallTauB([1, 2, 3, 4], [4, 3, 2, 1]), -1);
    // scipy.stats.kendalltau([12, 2, 1, 12, 2], [1, 4, 7, 1, 0]) -> -0.47140452079103173
    assert.ok(Math.abs(kendallTauB([12, 2, 1, 12, 2], [1, 4, 7, 1, 0]) - -0.47140452079103173) < 1e-12);
  });

  it("Kendall tau-a (Eq. 18): tied pairs count as neither but stay in the denominator (hand computation)", () => {
    // pairs of [1,2,2,3] vs [1,3,2,2]: (0,1) (0,2) (0,3) concordant, (1,3) discordant, (1,2) tied in x, (2,3) tied in y
    assert.equal(kendallTauA([1, 2, 2, 3], [1, 3, 2, 2]), (3 - 1) / 6);
    assert.equal(kendallTauB([1, 2, 2, 3], [1, 3, 2, 2]), (3 - 1) / Math.sqrt(5 * 5));
    assert.equal(kendallTauA([1, 1, 1], [3, 2, 1]), 0);
    const rng = new Rng(8);
    const x = Array.from({ length: 60 }, () => rng.int(7)), y = x.map((v) => v + rng.int(4));
    let cd = 0;
    for (let i = 0; i < x.length; i++) for (let j = i + 1; j < x.length; j++) cd += Math.sign(x[i]! - x[j]!) * Math.sign(y[i]! - y[j]!);
    assert.ok(Math.abs(kendallTauA(x, y) - cd / (60 * 59 / 2)) < 1e-12);
  });

  it("Spearman uses average ranks for ties; Pearson by hand", () => {
    assert.deepEqual([...averageRanks([10, 20, 20, 5])], [2, 3.5, 3.5, 1]);
    // scipy.stats.spearmanr([1, 2, 2, 3], [1, 3, 2, 4]) -> 0.9486832980505138
    assert.ok(Math.abs(spearman([1, 2, 2, 3], [1, 3, 2, 4]) - 0.9486832980505138) < 1e-12);
    assert.ok(Math.abs(pearson([1, 2, 3], [2, 4, 7]) - 0.9933992677987828) < 1e-12);
  });

  it("high-performance-group tau counts only pairs across the groups", () => {
    const truth = [10, 9, 8, 1, 2, 3];
    assert.equal(highGroupTau(truth, [5, 6, 7, 1, 2, 3], 3), 1);          // every high above every low
    assert.equal(highGroupTau(truth, [1, 2, 3, 5, 6, 7], 3), -1);
    // high preds 5, 1, 7 vs low preds 2, 3, 4: 5 beats 3 lows, 1 beats none, 7 beats 3 -> (6 - 3) / 9
    assert.equal(highGroupTau(truth, [5, 1, 7, 2, 3, 4], 3), 3 / 9);
    assert.throws(() => highGroupTau(truth, truth, 6), /expected 1 <= k < 6/);
  });

  it("high-group tau counts a tied pair as neither concordant nor discordant (hand computation)", () => {
    // high (true top 2): preds 0.9, 0.5; low: 0.5, 0.7, 0.1. Pairs: 0.9 beats all three lows (3 concordant);
    // 0.5 ties 0.5 (neither), loses to 0.7 (discordant), beats 0.1 (concordant): (4 - 1) / 6
    assert.equal(highGroupTau([5, 4, 3, 2, 1], [0.9, 0.5, 0.5, 0.7, 0.1], 2), 3 / 6);
    // all predictions equal: every pair tied
    assert.equal(highGroupTau([5, 4, 3, 2, 1], [1, 1, 1, 1, 1], 2), 0);
  });

  it("high-group tau matches an O(n^2) count on unordered truth, for every group size", () => {
    const rng = new Rng(11);
    const truth = Array.from({ length: 25 }, () => rng.uniform()), pred = truth.map((t) => (rng.uniform() < 0.3 ? rng.int(4) : Math.round(t * 4)));
    const top = [...truth].sort((a, b) => b - a);
    for (let k = 1; k < 25; k++) {
      let cd = 0;
      for (let i = 0; i < 25; i++) for (let j = 0; j < 25; j++) {
        if (truth[i]! >= top[k - 1]! && truth[j]! < top[k - 1]!) cd += Math.sign(pred[i]! - pred[j]!); // i high, j low
      }
      assert.ok(Math.abs(highGroupTau(truth, pred, k) - cd / (k * (25 - k))) < 1e-12, `k = ${k}`);
    }
    for (const k of [0, 25, 2.5]) assert.throws(() => highGroupTau(truth, pred, k), { message: `highGroupTau: expected 1 <= k < 25, received ${k}` });
  });

  it("every metric refuses unequal lengths and fewer than 2 items, naming itself", () => {
    const metrics = { pearson, spearman, kendallTauB, kendallTauA } as const;
    for (const [name, f] of Object.entries(metrics)) {
      assert.throws(() => f([1, 2, 3], [1, 2]), { message: `${name}: 3 and 2 values` });
      assert.throws(() => f([1], [1]), { message: `${name}: needs at least 2 items, received 1` });
    }
    assert.throws(() => highGroupTau([1, 2], [1], 1), { message: "highGroupTau: 2 and 1 values" });
  });
});
