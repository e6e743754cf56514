import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { AblationRowResult } from "../../app/ablation.js";
import { widthCodeFigure } from "../../report/ablation_report.js";
import { readPlot } from "../helpers/plot_reader.js";

// The width-code figure read back as a chart: each histogram bar where its
// bin lies on the x axis' own tick labels, as tall as its count on the y
// axis'. Bins are 0.04 wide (25 over [0, 1]).

const row = (name: string, rcAlpha: number | undefined, widthCodes?: AblationRowResult["widthCodes"]): AblationRowResult => ({
  row: { name, mode: "kshot", searchWidth: widthCodes !== undefined, ...(rcAlpha === undefined ? {} : { rcAlpha }) },
  arch: "a", mflops: 1, params: 1, supernetAcc: 0.5, accs: [0.5], acc: { mean: 0.5, sd: 0, n: 1 },
  ...(widthCodes === undefined ? {} : { widthCodes }),
});
const codes = (near: number[], far: number[]) => ({ near, far, nearMean: 0, farMean: 0 });

/** The bars of a series with a count above zero, as [bin's left edge, right edge, count] read off the axes. */
function bars(svg: string, series: string): [number, number, number][] {
  const p = readPlot(svg);
  const fromX = (px: number) => p.x.fromPx(px), fromY = (px: number) => p.y.fromPx(px);
  return [...p.series(series).getElementsByTagName("rect")]
    .map((r) => { const x = Number(r.getAttribute("x")), w = Number(r.getAttribute("width")), y = Number(r.getAttribute("y")), h = Number(r.getAttribute("height")); return [fromX(x), fromX(x + w), fromY(y) - fromY(y + h)] as [number, number, number]; })
    .filter(([, , n]) => n > 1e-9)
    .map(([a, b, n]) => [Math.round(a * 100) / 100, Math.round(b * 100) / 100, Math.round(n * 1000) / 1000]);
}

describe("ablation report: the width-code histograms", () => {
  const rows = [
    row("one-shot", undefined),
    row("K-shot, widths, without r_c", 0, codes([0.3, 0.3, 0.5], [0.31])),
    row("K-shot, widths, with r_c", 1, codes([0.9, 0.92], [0.1, 0.11, 0.5])),
  ];
  const svg = widthCodeFigure(rows)!;

  it("draws near and far widths per measured row, named with their counts, rows without codes left out", () => {
    const p = readPlot(svg);
    assert.deepEqual(p.legend.map((l) => l.name), [
      "without r_c, near widths (3)", "without r_c, far widths (1)", "with r_c, near widths (2)", "with r_c, far widths (3)",
    ]);
    assert.equal(new Set(p.legend.map((l) => l.color)).size, 4, "four colours");
    assert.equal(p.title, "Simplex-net codes of one path's operations at near and far widths");
  });

  it("puts each value in its 0.04-wide bin, as tall as the values in it", () => {
    assert.deepEqual(bars(svg, "without r_c, near widths (3)"), [[0.28, 0.32, 2], [0.48, 0.52, 1]]);
    assert.deepEqual(bars(svg, "without r_c, far widths (1)"), [[0.28, 0.32, 1]]);
    assert.deepEqual(bars(svg, "with r_c, near widths (2)"), [[0.88, 0.92, 1], [0.92, 0.96, 1]]);
    assert.deepEqual(bars(svg, "with r_c, far widths (3)"), [[0.08, 0.12, 2], [0.48, 0.52, 1]]);
  });

  it("has no figure when no row measured width codes", () => {
    assert.equal(widthCodeFigure([row("one-shot", undefined)]), null);
    assert.equal(widthCodeFigure([]), null);
  });
});
