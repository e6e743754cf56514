import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { ordinal, retrainVerdict, runFigures, supernetWords, truthStandingLine, unitWord, writeRunReport } from "../../report/run_report.js";
import { readPlot, type PlotReading } from "../helpers/plot_reader.js";
import type { MainJobSummary } from "../../app/main_job.js";
import { evaluated, summary } from "../helpers/report_fixtures.js";
import { elements, parseXml } from "../helpers/svg.js";
import { tempDir } from "../helpers/temp_dir.js";

describe("run report", () => {
  const dir = tempDir("kshot-report-");
  writeFileSync(join(dir, "summary.json"), JSON.stringify(summary));
  writeFileSync(join(dir, "evaluated.json"), JSON.stringify(evaluated));
  const html = readFileSync(writeRunReport(dir), "utf8");
  const svg = (name: string) => parseXml(readFileSync(join(dir, name), "utf8"));

  it("plots every evaluated cell faint, the front as a line through its points, and marks the chosen cell", () => {
    const doc = svg("front.svg");
    const faint = elements(doc, "circle", "points");
    assert.equal(faint.length, evaluated.length);
    assert.deepEqual(faint.map((c) => c.getElementsByTagName("title")[0]!.textContent), evaluated.map((p) => p.arch));
    const lines = elements(doc, "polyline", "line");
    assert.equal(lines[0]!.getAttribute("points")!.split(" ").length, 3, "the front's three points");
    // the chosen marker sits on the chosen cell's point
    const chosen = faint[3]!, callout = elements(doc, "circle", "callout")[0]!;
    assert.equal(callout.getAttribute("cx"), chosen.getAttribute("cx"));
    assert.equal(callout.getAttribute("cy"), chosen.getAttribute("cy"));
  });

  it("plots both losses per epoch, lambda histograms per k, and the retraining beside the baseline", () => {
    const loss = elements(svg("loss.svg"), "polyline", "line");
    assert.deepEqual(loss.map((l) => l.getAttribute("points")!.split(" ").length), [3, 2]);
    const lambda = svg("lambda.svg");
    const bars = elements(lambda, "rect", "bars");
    assert.equal(bars.length, 2 * 20, "20 bins for each of K=2");
    assert.equal(bars.filter((b) => Number(b.getAttribute("height")) > 0).length, 10, "each of the 5 paths in one bin per k");
    const retrain = elements(svg("retrain.svg"), "rect", "bars");
    assert.equal(retrain.length, 3);
    // the chosen bar (0.86) is the tallest
    const heights = retrain.map((b) => Number(b.getAttribute("height")));
    assert.equal(Math.max(...heights), heights[0]);
  });

  it("writes an HTML page that embeds the four plots and states the comparison", () => {
    assert.equal((html.match(/<svg /g) ?? []).length, 4);
    assert.match(html, /test accuracy 0\.8600<\/b>, above the random cells' mean by 5\.00 points/);
    assert.match(html, /\|d\|<\/code> <b>\(chosen\)<\/b>/);
    assert.match(html, /\(random cells under the same bound: 0\.8000 \/ 0\.8200\)\.<\/p>\n\n<table>/, "without a truth, no standing line and nothing in its place");
  });

  it("lists the chosen and each random network in the stand-alone table, in order, with their numbers", () => {
    const rows = [...html.matchAll(/<tr><td>([^<]*)<\/td><td>([0-9.]+)<\/td><td>\d+<\/td><td>\d+<\/td><td><code>([^<]*)<\/code><\/td><\/tr>/g)].map((m) => [m[1], m[2], m[3]]);
    assert.deepEqual(rows, [["chosen", "0.8600", "|d|"], ["random 1", "0.8000", "|x|"], ["random 2", "0.8200", "|y|"]]);
  });

  it("calls a MobileNetV2-space run's architectures networks, a NAS-Bench-201 run's cells", () => {
    assert.equal(unitWord({ space: "mbv2" }), "network");
    assert.equal(unitWord({ space: "nb201" }), "cell");
    assert.equal(unitWord({} as MainJobSummary["supernet"]["config"]), "cell", "summaries from before the mbv2 space have no space field");
    assert.equal(retrainVerdict(summary.retrain, "network"), "above the random networks' mean by 5.00 points");
    const mbv2 = tempDir("kshot-report-");
    writeFileSync(join(mbv2, "summary.json"), JSON.stringify({ ...summary, supernet: { ...summary.supernet, config: { ...summary.supernet.config, space: "mbv2" } } }));
    writeFileSync(join(mbv2, "evaluated.json"), JSON.stringify(evaluated));
    const page = readFileSync(writeRunReport(mbv2), "utf8");
    assert.match(page, /<b>Chosen network, trained stand-alone: test accuracy 0\.8600<\/b>, above the random networks' mean by 5\.00 points\n\(random networks under the same bound: 0\.8000 \/ 0\.8200\)/);
    assert.match(page, /<tr><th>network<\/th><th>test accuracy<\/th>/);
    assert.doesNotMatch(page, /\bcells?\b/);
    assert.match(readFileSync(join(mbv2, "retrain.svg"), "utf8"), />network<\/text>/);
  });

  it("names the missing file when the directory is not a run", () => {
    assert.throws(() => writeRunReport(tmpdir() + "/no-such-run"), /summary\.json is missing/);
  });

  it("says where the pick stands in words: ordinals, the truth's percentile or why there is none, the margin", () => {
    assert.deepEqual([1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 72, 100, 101, 111, 112, 113].map(ordinal),
      ["1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "23rd", "72nd", "100th", "101st", "111th", "112th", "113th"]);
    const truth = { path: "t.csv", differs: null, cellsUnderBound: 41, chosenPercentile: 71.6, baselinePercentiles: [51.2, null] };
    assert.equal(truthStandingLine(truth as MainJobSummary["retrain"]["truth"]),
      "among the truth's 41 cells under the bound, the chosen cell stands at the 72nd percentile (random cells: 51 / n/a; a random pick stands at the 50th on average)");
    assert.equal(truthStandingLine({ ...truth, differs: ["seeds 2 -> 1", "trainLimit 4000 -> 2000"] } as MainJobSummary["retrain"]["truth"]),
      "no percentile among the truth's cells (t.csv): the retraining's protocol is not the truth's (seeds 2 -> 1; trainLimit 4000 -> 2000)");
    assert.equal(truthStandingLine({ ...truth, chosenPercentile: null } as MainJobSummary["retrain"]["truth"]),
      "no percentile among the truth's cells: none of them is within the bound (t.csv)");
    assert.equal(truthStandingLine(undefined), null);
    assert.equal(truthStandingLine(null as unknown as MainJobSummary["retrain"]["truth"]), null);
    assert.equal(retrainVerdict(summary.retrain), "above the random cells' mean by 5.00 points");
    assert.equal(retrainVerdict({ ...summary.retrain, baselineMean: 0.875 }), "not above the random cells' mean (by 1.50 points below)");
    assert.equal(retrainVerdict({ ...summary.retrain, baselineMean: 0.86 }), "not above the random cells' mean (by 0.00 points below)");
    assert.equal(supernetWords({ space: "mbv2", searchWidth: true } as MainJobSummary["supernet"]["config"]), "MobileNetV2-space supernet (mini macro, widths searched with r_c)");
    assert.equal(supernetWords({ space: "mbv2" } as MainJobSummary["supernet"]["config"]), "MobileNetV2-space supernet (mini macro)");
    assert.equal(supernetWords({ C: 8, N: 1 } as MainJobSummary["supernet"]["config"]), "NAS-Bench-201 supernet (C=8, N=1)");
  });

  it("refuses a summary that is not JSON, or not a run's", () => {
    const bad = tempDir("kshot-report-");
    writeFileSync(join(bad, "summary.json"), "{ not json");
    assert.throws(() => writeRunReport(bad), { message: new RegExp(`^report: ${join(bad, "summary.json")} is not valid JSON \\(`) });
    writeFileSync(join(bad, "summary.json"), JSON.stringify({ search: {} }));
    assert.throws(() => writeRunReport(bad), { message: `report: ${join(bad, "summary.json")} is not the summary of a 'kshot run' (it has no search, retraining or supernet section)` });
  });
});

/** A line series' points in data units, read off the plot's own axes (2 decimals). */
function linePoints(p: PlotReading, series: string): number[][] {
  return p.series(series).getElementsByTagName("polyline")[0]!.getAttribute("points")!.split(" ")
    .map((q) => q.split(",").map(Number)).map(([x, y]) => [Math.round(p.x.fromPx(x!) * 100) / 100, Math.round(p.y.fromPx(y!) * 100) / 100]);
}

describe("run report figures, read back off their axes", () => {
  const figs = runFigures(summary, evaluated);

  it("loss: the supernet's loss at every epoch, the simplex-net's only where it trained, with their labels", () => {
    const p = readPlot(figs.get("loss.svg")!);
    assert.deepEqual(linePoints(p, "supernet loss"), [[1, 2], [2, 1.5], [3, 1.2]]);
    assert.deepEqual(linePoints(p, "simplex-net loss"), [[2, 1.8], [3, 1.6]]);
    assert.equal(p.title, "Supernet training (epoch 1 is warm-up)");
    assert.deepEqual([p.xLabel.textContent, p.yLabel.textContent], ["epoch", "mean training loss"]);
    const oneShot = runFigures({ ...summary, supernet: { ...summary.supernet, epochs: summary.supernet.epochs.map((e) => ({ ...e, simplexLoss: null })) } }, evaluated);
    assert.match(oneShot.get("loss.svg")!, /data-series="supernet loss"/);
    assert.doesNotMatch(oneShot.get("loss.svg")!, /simplex-net loss/, "no simplex-net line without its steps");
  });

  it("front: the front's line through its rows, the bound as a vertical line over the evaluated accuracies, the choice marked", () => {
    const p = readPlot(figs.get("front.svg")!);
    assert.deepEqual(p.legend.map((l) => l.name), ["evaluated (5)", "Pareto front", "bound 5 MFLOPs"]);
    assert.deepEqual(linePoints(p, "Pareto front"), [[1, 0.5], [2, 0.6], [4, 0.7]]);
    assert.deepEqual(linePoints(p, "bound 5 MFLOPs"), [[5, 0.4], [5, 0.7]], "from the least to the most accurate evaluated path");
    assert.equal(p.series("").getElementsByTagName("text")[0]!.textContent, "chosen");
    assert.deepEqual([p.title, p.xLabel.textContent, p.yLabel.textContent], ["Search: supernet accuracy vs FLOPs", "MFLOPs (NAS-Bench-201 convention)", "accuracy on held-out images"]);
  });

  it("lambda: one histogram per k, named lambda_1 .. lambda_K; retraining: a bar per network at its accuracy, the random mean dashed", () => {
    const l = readPlot(figs.get("lambda.svg")!);
    assert.deepEqual(l.legend.map((x) => x.name), ["lambda_1", "lambda_2"]);
    assert.equal(l.title, "Simplex-net codes of the 5 evaluated paths (K=2)");
    const r = readPlot(figs.get("retrain.svg")!, { xCategories: ["chosen", "random 1", "random 2"] });
    assert.equal(r.title, "Stand-alone test accuracy (100 images, 2 epochs)");
    const bar = (series: string) => [...r.series(series).getElementsByTagName("rect")].map((b) => {
      const x = Number(b.getAttribute("x")), w = Number(b.getAttribute("width")), y = Number(b.getAttribute("y"));
      return [Math.round(r.x.fromPx(x + w / 2) * 100) / 100, Math.round(r.y.fromPx(y) * 1000) / 1000];
    });
    assert.deepEqual(bar("chosen"), [[0, 0.86]]);
    assert.deepEqual(bar("random under the bound"), [[1, 0.8], [2, 0.82]]);
    assert.deepEqual(linePoints(r, "random mean"), [[-0.6, 0.81], [2.6, 0.81]], "across every bar, at the mean");
  });
});
