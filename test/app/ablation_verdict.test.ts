import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ablationComparisons, ablationVerdictText, compareMeans } from "../../app/ablation_verdict.js";
import { TABLE5_ROWS, type AblationRowResult } from "../../app/ablation.js";
import { meanSd } from "../../nas/study/statistics.js";

// The Table 5 miniature's verdict rule (studies/mbv2-ablation.md): a
// difference is called only past twice its standard error. Hand numbers,
// their standard errors worked out in the comments.

const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) < 1e-9, `${what}: ${a} against ${b}`);

function row(i: number, accs: number[], widthCodes?: { near: number[]; far: number[] }): AblationRowResult {
  return {
    row: TABLE5_ROWS[i]!, arch: `a${i}`, mflops: 4, params: 1, supernetAcc: 0.3, accs, acc: meanSd(accs),
    ...(widthCodes === undefined ? {} : { widthCodes: { ...widthCodes, nearMean: 0, farMean: 0 } }),
  };
}

describe("ablation verdicts", () => {
  it("calls a difference only past twice its standard error, level with it not", () => {
    // sd 2 and 1 over 3 each: SE = sqrt(4/3 + 1/3) = 1.29099
    const d = compareMeans({ mean: 84, sd: 1, n: 3 }, { mean: 82, sd: 2, n: 3 })!;
    close(d.diff, 2, "diff");
    close(d.twoSe, 2 * Math.sqrt(5 / 3), "2 SE");
    assert.equal(d.call, "not distinguishable here");
    assert.equal(compareMeans({ mean: 87, sd: 1, n: 3 }, { mean: 82, sd: 2, n: 3 })!.call, "higher");
    assert.equal(compareMeans({ mean: 77, sd: 1, n: 3 }, { mean: 82, sd: 2, n: 3 })!.call, "lower");
    // sd 2 and 2 over 2 and 2: 2 SE = 2 sqrt(4/2 + 4/2) = 4; a difference of exactly that is not called
    assert.equal(compareMeans({ mean: 14, sd: 2, n: 2 }, { mean: 10, sd: 2, n: 2 })!.call, "not distinguishable here");
    assert.equal(compareMeans({ mean: 6, sd: 2, n: 2 }, { mean: 10, sd: 2, n: 2 })!.call, "not distinguishable here");
    assert.equal(compareMeans({ mean: 14.001, sd: 2, n: 2 }, { mean: 10, sd: 2, n: 2 })!.call, "higher");
    // each side's own n: sd 3 over 9 and sd 0 over 2: SE = 1
    close(compareMeans({ mean: 1, sd: 3, n: 9 }, { mean: 0, sd: 0, n: 2 })!.twoSe, 2, "2 SE with n 9 and 2");
  });

  it("has no verdict without a mean or with a single value", () => {
    assert.equal(compareMeans({ mean: null, sd: null, n: 0 }, { mean: 1, sd: 1, n: 3 }), null);
    assert.equal(compareMeans({ mean: 1, sd: 0, n: 1 }, { mean: 1, sd: 1, n: 3 }), null);
    assert.equal(compareMeans({ mean: 1, sd: 1, n: 3 }, { mean: 1, sd: 0, n: 1 }), null);
    assert.notEqual(compareMeans({ mean: 1, sd: 0, n: 2 }, { mean: 1, sd: 0, n: 2 }), null, "two values each are enough");
  });

  it("scales the difference and its standard error alike (fractions to points)", () => {
    const d = compareMeans({ mean: 0.84, sd: 0.01, n: 3 }, { mean: 0.82, sd: 0.02, n: 3 }, 100)!;
    close(d.diff, 2, "diff in points");
    close(d.twoSe, 2 * Math.sqrt(5 / 3), "2 SE in points");
  });

  it("answers the protocol's questions in its order, in points, the floor's sd over its networks", () => {
    const rows = [
      row(0, [0.80, 0.82, 0.84]), // 82, sd 2
      row(1, [0.79, 0.80, 0.81]), // 80, sd 1
      row(2, [0.83, 0.84, 0.85]), // 84, sd 1
      row(3, [0.86, 0.87, 0.88]), // 87, sd 1
      row(4, [0.85, 0.86, 0.87], { near: [0.5, 0.7], far: [0.4, 0.6] }), // 86, sd 1; gap 0.1, SE^2 0.02/2 + 0.02/2
      row(5, [0.83, 0.83, 0.83], { near: [0.9, 0.7], far: [0.1, 0.3] }), // 83, sd 0; gap 0.6, SE^2 0.02
    ];
    // network means 80, 78, 82, 80: mean 80, sd sqrt(8/3) over 4, so its SE^2 is 2/3
    const floor = { archs: [], mflops: [], accs: [], acc: meanSd([0.80, 0.78, 0.82, 0.80]) };
    const cs = ablationComparisons({ rows, floor });
    assert.deepEqual(cs.map((c) => [c.question, c.a.slice(0, 5), c.b.slice(0, 5), c.call]), [
      ["1. the pick against the random floor", "row 1", "the r", "not distinguishable here"], // 2 against 2 sqrt(4/3 + 2/3) = 2.83
      ["1. the pick against the random floor", "row 2", "the r", "not distinguishable here"], // 0
      ["1. the pick against the random floor", "row 3", "the r", "higher"], // 4 against 2 sqrt(1/3 + 2/3) = 2
      ["1. the pick against the random floor", "row 4", "the r", "higher"],
      ["1. the pick against the random floor", "row 5", "the r", "higher"], // 6 against 2
      ["1. the pick against the random floor", "row 6", "the r", "higher"], // 3 against 2 sqrt(2/3) = 1.63
      ["2. K-shot against one-shot", "row 3", "row 1", "not distinguishable here"], // 2 against 2.58
      ["2. K-shot against one-shot", "row 4", "row 1", "higher"], // 5 against 2.58
      ["3. the simplex-net against lambda = 1/K", "row 4", "row 3", "higher"], // 3 against 1.63
      ["4. r_c, stand-alone accuracy", "row 6", "row 5", "lower"], // -3 against 1.15
      ["4. r_c, the gap between near and far width codes", "row 6", "row 5", "higher"], // 0.5 against 2 sqrt(0.04)
    ]);
    close(cs[0]!.diff, 2, "row 1 - floor");
    close(cs[0]!.twoSe, 2 * Math.sqrt(4 / 3 + 2 / 3), "2 SE row 1 - floor");
    close(cs[2]!.twoSe, 2, "2 SE row 3 - floor");
    close(cs[9]!.diff, -3, "row 6 - row 5");
    close(cs[10]!.diff, 0.5, "gap 6 - gap 5");
    close(cs[10]!.twoSe, 0.4, "2 SE of the gaps");
    assert.equal(cs[0]!.a, "row 1 (one-shot, operations (single path))");
    assert.equal(cs[10]!.a, "row 6 (K-shot, simplex-net, widths, with r_c), gap 0.6000");
  });

  it("leaves out the questions of rows not finished yet, and writes the lines under the table", () => {
    const floor = { archs: [], mflops: [], accs: [], acc: meanSd([0.80, 0.78, 0.82, 0.80]) };
    const cs = ablationComparisons({ rows: [row(0, [0.80, 0.82, 0.84]), row(1, [0.79, 0.80, 0.81]), row(2, [0.83, 0.84, 0.85])], floor });
    assert.deepEqual(cs.map((c) => c.question), [...Array(3).fill("1. the pick against the random floor"), "2. K-shot against one-shot"]);
    const text = ablationVerdictText({ rows: [row(0, [0.80, 0.82, 0.84])], floor });
    assert.match(text, /^\nVerdicts by the protocol's rule \(a difference is called only past twice its standard error\):\n\n- 1\. the pick against the random floor: row 1 \(one-shot, operations \(single path\)\) against the random floor: \+2\.00 points \(2 SE 2\.83\): \*\*not distinguishable here\*\*\n$/);
    assert.equal(ablationVerdictText({ rows: [], floor: { archs: [], mflops: [], accs: [], acc: meanSd([]) } }), "");
    // one seed: no spread, so no verdict for that row
    assert.deepEqual(ablationComparisons({ rows: [row(0, [0.8])], floor }), []);
  });

  it("compares the width codes only once both width rows have them, and writes gaps to 4 places, differences with their sign", () => {
    const floor = { archs: [], mflops: [], accs: [], acc: meanSd([0.80, 0.78, 0.82, 0.80]) };
    const first = [row(0, [0.80, 0.82, 0.84]), row(1, [0.79, 0.80, 0.81]), row(2, [0.83, 0.84, 0.85]), row(3, [0.86, 0.87, 0.88])];
    const five = row(4, [0.79, 0.80, 0.81], { near: [0.5, 0.7], far: [0.4, 0.6] });
    assert.ok(!ablationComparisons({ rows: [...first, five], floor }).some((c) => c.question.startsWith("4.")), "row 6 not finished");
    const six = row(5, [0.80, 0.80, 0.80], { near: [0.6, 0.6], far: [0.55, 0.55] }); // gap 0.05, 0.05 below row 5's; 2 SE = 2 sqrt(0.02 + 0)
    const lines = ablationVerdictText({ rows: [...first, five, six], floor }).trim().split("\n");
    assert.equal(lines.at(-1), "- 4. r_c, the gap between near and far width codes: row 6 (K-shot, simplex-net, widths, with r_c), gap 0.0500 against row 5 (K-shot, simplex-net, widths, without r_c), gap 0.1000: -0.0500 (2 SE 0.2828): **not distinguishable here**");
    assert.equal(lines.at(-2), "- 4. r_c, stand-alone accuracy: row 6 (K-shot, simplex-net, widths, with r_c) against row 5 (K-shot, simplex-net, widths, without r_c): +0.00 points (2 SE 1.15): **not distinguishable here**");
    assert.match(lines[3]!, /^- 1\. the pick against the random floor: row 2 \(one-shot, operations and widths\) against the random floor: \+0\.00 points/);
  });
});
