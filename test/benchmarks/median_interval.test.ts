import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { medianInterval } from "../../benchmarks/median_interval.js";
import { median } from "../../benchmarks/timing.js";
import { Rng } from "../../engine/index.js";

// The exact percentile-bootstrap interval of a median, against binomial
// sums worked by hand and against resampling itself.

describe("medianInterval", () => {
  it("gives the hand-worked intervals of small samples", () => {
    // n = 5, a resample's median is its 3rd value: P(median <= k-th value) = P(Bin(5, k/5) >= 3)
    // = 0.05792, 0.31744, 0.68256, 0.94208, 1 for k = 1..5
    assert.deepEqual(medianInterval([5, 3, 1, 4, 2], 0.8), [2, 4]); // 0.1 and 0.9 first reached at k = 2 and k = 4
    assert.deepEqual(medianInterval([5, 3, 1, 4, 2], 0.9), [1, 5]); // 0.05 at k = 1; 0.95 only at k = 5
    // n = 3: P(Bin(3, 1/3) >= 2) = 7/27, P(Bin(3, 2/3) >= 2) = 20/27
    assert.deepEqual(medianInterval([30, 10, 20], 0.4), [20, 20]); // 0.3 and 0.7 both first reached at k = 2
    assert.deepEqual(medianInterval([30, 10, 20], 0.5), [10, 30]); // 0.25 at k = 1 (7/27 > 0.25); 0.75 only at k = 3
  });

  it("uses the upper middle value of an even count, as median() does", () => {
    // n = 4, a resample's median is its 3rd value: P(Bin(4, k/4) >= 3) = 0.05078, 0.3125, 0.73828, 1
    // (the lower middle value would give P(Bin(4, k/4) >= 2) = 0.26172, 0.6875, 0.94922, 1, and [1, 3] at 80%)
    assert.deepEqual(medianInterval([1, 2, 3, 4], 0.9), [1, 4]); // 0.05 at k = 1; 0.95 only at k = 4
    assert.deepEqual(medianInterval([1, 2, 3, 4], 0.8), [2, 4]); // 0.1 first at k = 2; 0.9 only at k = 4
    assert.deepEqual(medianInterval([1, 2, 3, 4], 0.4), [2, 3]); // 0.3 first at k = 2, 0.7 at k = 3
  });

  it("agrees with the quantiles of 40,000 resampled medians", () => {
    const rng = new Rng(7);
    const values = Array.from({ length: 21 }, () => 1 + rng.uniform());
    const medians = Array.from({ length: 40_000 }, () => median(Array.from({ length: values.length }, () => values[rng.int(values.length)]!)));
    medians.sort((a, b) => a - b);
    const [low, high] = medianInterval(values, 0.9);
    assert.equal(low, medians[Math.ceil(0.05 * medians.length) - 1]);
    assert.equal(high, medians[Math.ceil(0.95 * medians.length) - 1]);
  });

  it("handles ties and a single value", () => {
    assert.deepEqual(medianInterval([2, 2, 2, 2]), [2, 2]);
    assert.deepEqual(medianInterval([7]), [7, 7]);
    // ties below: P(median <= 1) = P(Bin(5, 3/5) >= 3) = 0.68256, so 1 spans the lower 5% and 9 the top
    assert.deepEqual(medianInterval([1, 9, 1, 9, 1], 0.9), [1, 9]);
    assert.deepEqual(medianInterval([1, 9, 1, 9, 1], 0.3), [1, 1]); // 0.35 and 0.65 both first reached at k = 3, still a 1
  });

  it("refuses an empty sample and a level outside (0, 1)", () => {
    assert.throws(() => medianInterval([]), /at least one value/);
    assert.throws(() => medianInterval([1, 2], 1), /level between 0 and 1/);
    assert.throws(() => medianInterval([1, 2], 0), /level between 0 and 1/);
  });
});
