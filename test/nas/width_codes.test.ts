import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Rng } from "../../engine/index.js";
import { Mbv2Space } from "../../nas/mbv2/space.js";
import { oneHotSize } from "../../nas/space.js";
import { simplexCodes } from "../../nas/supernet/path_code.js";
import { SimplexNet } from "../../nas/supernet/simplex_net.js";
import { widthCodeSimilarity } from "../../nas/supernet/width_codes.js";
import { widthCodeFigure } from "../../report/ablation_report.js";
import { readPlot } from "../helpers/plot_reader.js";
import { parseXml } from "../helpers/svg.js";
import { TABLE5_ROWS } from "../../app/ablation.js";

const space = new Mbv2Space({ inChannels: 1, height: 28, width: 28, classes: 10, searchWidth: true });
const simplex = new SimplexNet(oneHotSize(space, "op"), oneHotSize(space, "width"), 4, new Rng(5), 16);
// the width multipliers of a path, read off its string: an independent parse of the genes
const widths = (g: number[]) => space.format(g).split("|")[1]!.split(",").map(Number);
const l1 = (a: number[], b: number[]) => a.reduce((s, x, i) => s + Math.abs(x - b[i]!), 0);

describe("width codes (the measure of r_c's claim)", () => {
  // measured inside the tests, not at load, so that a failure in it fails a test (Stryker counts tests)
  let measured: ReturnType<typeof widthCodeSimilarity> | undefined;
  const measure = () => (measured ??= widthCodeSimilarity(space, simplex, new Rng(7), { paths: 12, threshold: 1 }));

  it("pairs a path with a near partner within the threshold and a far copy beyond it, all of the same operations", () => {
    const r = measure();
    assert.equal(r.paths.length, 36);
    for (let p = 0; p < 12; p++) {
      const [a, b, c] = [r.paths[3 * p]!, r.paths[3 * p + 1]!, r.paths[3 * p + 2]!];
      assert.equal(space.format(a).split("|")[0], space.format(b).split("|")[0]);
      assert.equal(space.format(a).split("|")[0], space.format(c).split("|")[0]);
      assert.ok(Math.abs(l1(widths(a), widths(b)) - 0.6) < 1e-9, "three layers one grid step apart");
      assert.ok(l1(widths(a), widths(c)) >= 1);
    }
  });

  it("gives the inner products of the simplex-net's codes of those paths", () => {
    const r = measure();
    const codes = simplexCodes(space, simplex, r.paths);
    const v = codes.dataSync();
    const code = (i: number) => Array.from(v.subarray(4 * i, 4 * i + 4));
    const dot = (x: number[], y: number[]) => x[0]! * y[0]! + x[1]! * y[1]! + x[2]! * y[2]! + x[3]! * y[3]!;
    for (let p = 0; p < 12; p++) {
      assert.ok(Math.abs(r.near[p]! - dot(code(3 * p), code(3 * p + 1))) < 1e-6);
      assert.ok(Math.abs(r.far[p]! - dot(code(3 * p), code(3 * p + 2))) < 1e-6);
    }
    codes.dispose();
  });

  it("returns the three codes of each path in order, anchor, partner, far copy", () => {
    const r = measure();
    const codes = simplexCodes(space, simplex, r.paths);
    const v = Array.from(codes.dataSync());
    codes.dispose();
    assert.equal(r.codes.length, 36);
    r.codes.forEach((c, i) => assert.ok(c.every((x, k) => Math.abs(x - v[4 * i + k]!) < 1e-6), `code ${i}`));
  });

  it("redraws a far copy until it is at least the threshold away, and refuses a threshold the near partner does not fall under", () => {
    // at 8 (24 layers, a mean distance near 8) about half of the first draws fall short and are drawn again
    const wide = widthCodeSimilarity(space, simplex, new Rng(3), { paths: 20, threshold: 8 });
    for (let p = 0; p < 20; p++) assert.ok(l1(widths(wide.paths[3 * p]!), widths(wide.paths[3 * p + 2]!)) >= 8, `path ${p}`);
    assert.throws(() => widthCodeSimilarity(space, simplex, new Rng(3), { paths: 1, threshold: 0.5 }),
      { message: "width codes: a near partner is 0.60 away, not within the threshold 0.5" });
  });

  it("refuses a simplex-net without a channel branch", () => {
    const opsOnly = new SimplexNet(oneHotSize(space, "op"), 0, 4, new Rng(1), 8);
    assert.throws(() => widthCodeSimilarity(space, opsOnly, new Rng(0), { paths: 1, threshold: 1 }), /does not search widths/);
  });

  it("plots near and far as histograms, labelled with their pair counts", () => {
    const svg = widthCodeFigure([{ row: TABLE5_ROWS[5]!, arch: "", mflops: 0, params: 0, supernetAcc: 0, accs: [], acc: { mean: null, sd: null, n: 0 },
      widthCodes: { near: [0.1, 0.5, 0.52, 0.9], far: [0.3], nearMean: 0.505, farMean: 0.3 } }])!;
    assert.match(svg, /with r_c, near widths \(4\)/);
    assert.match(svg, /with r_c, far widths \(1\)/);
    assert.equal(widthCodeFigure([]), null);
  });

  it("draws each measured row's near and far histograms in colours of their own, on the [0, 1] axis, rows without codes left out", () => {
    const row = (i: number, codes?: { near: number[]; far: number[] }) => ({ row: TABLE5_ROWS[i]!, arch: "", mflops: 0, params: 0, supernetAcc: 0, accs: [],
      acc: { mean: null, sd: null, n: 0 }, ...(codes === undefined ? {} : { widthCodes: { ...codes, nearMean: 0, farMean: 0 } }) });
    const svg = widthCodeFigure([row(4, { near: [0.1, 0.12], far: [0.9] }), row(3), row(5, { near: [0.5], far: [0.7, 0.74, 0.78] })])!;
    const p = readPlot(svg);
    assert.equal(TABLE5_ROWS[4]!.rcAlpha, 0);
    assert.deepEqual(p.legend.map((e) => e.name), ["without r_c, near widths (2)", "without r_c, far widths (1)", "with r_c, near widths (1)", "with r_c, far widths (3)"]);
    assert.equal(new Set(p.legend.map((e) => e.color)).size, 4, "four colours");
    assert.ok(p.legend.every((e) => e.y > 360 - 10), "the legend under the plot");
    assert.ok(Math.abs(p.x.toPx(0) - p.area.left) < 0.02 && Math.abs(p.x.toPx(1) - p.area.right) < 0.02, "the x axis is [0, 1]");
    // with r_c's far histogram: 3 pairs in the bin [0.68, 0.72) and [0.72, 0.76), [0.76, 0.8): one each, at x of their values
    const bars = [...p.series("with r_c, far widths (3)").getElementsByTagName("rect")].filter((b) => Number(b.getAttribute("height")) > 0);
    assert.equal(bars.length, 3);
    for (const [b, v] of bars.map((b, i) => [b, [0.7, 0.74, 0.78][i]!] as const)) {
      const [x, w] = [Number(b.getAttribute("x")), Number(b.getAttribute("width"))];
      assert.ok(p.x.toPx(v) >= x && p.x.toPx(v) <= x + w, `${v} in its bin`);
      assert.ok(Math.abs(Number(b.getAttribute("y")) - p.y.toPx(1)) < 0.02, "one pair each");
    }
    assert.match(parseXml(svg).getElementsByTagName("title")[0]!.textContent!, /codes of one path's operations at near and far widths/);
  });
});
