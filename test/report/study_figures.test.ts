import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { meanSd, pairedTest, rankMetrics, studyOpDependence, summarize, type StudyResult, type StudyRunResult } from "../../nas/study/statistics.js";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { escapeXml } from "../../report/svg.js";
import { studyFigures, studyFollows, studyTable, studyVerdicts, writeStudyReport } from "../../report/study_report.js";
import { elements, parseXml } from "../helpers/svg.js";
import { readPlot } from "../helpers/plot_reader.js";
import { ARCHS, BUDGET, KSHOT, ONE_SHOT, TRUTH, study } from "../helpers/report_fixtures.js";
import { tempDir } from "../helpers/temp_dir.js";

// The study's figures against the data they show: a bar's height is its
// run's mean tau-a, and each scatter point sits where its own cell's truth
// and score put it. The expectations are read off the numbers below, not
// off the plotting code.

/** A pixel position within 0.02 px of where it should be. */
const near = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) < 0.02, `${what}: ${a} vs ${b}`);
/** A table row's cells, trimmed. */
const cols = (l: string) => l.split("|").slice(1, -1).map((c) => c.trim());

describe("the study's figures show its numbers", () => {
  const s = study();
  const figs = studyFigures(s);

  it("says on each figure what it shows: its title and both axes", () => {
    const want: Record<string, [string, string, string]> = {
      "tau_by_mode.svg": ["Kendall tau-a (Eq. 18) by supernet, mean ± sd over 1 seed(s)", "supernet", "Kendall tau-a vs stand-alone"],
      "follows.svg": ["What the scores follow: Kendall tau-b of each op's count in a cell against the scores (working cells)", "op", "tau-b (count of the op vs score)"],
      "tau_vs_k.svg": ["Kendall tau-a vs K (x: log2 K)", "log2 K", "Kendall tau-a vs stand-alone"],
      "scatter.svg": ["Supernet vs stand-alone accuracy, seed 0", "stand-alone test accuracy (truth mean)", "supernet accuracy on held-out images"],
      "high_group.svg": ["High-performance-group tau (Figure 5), mean over seeds", "cells in the high group (top by stand-alone accuracy)", "high-group tau"],
      "lambda_K2.svg": ["Simplex-net codes, K=2: all lambda_k of 5 cells x 1 seed(s)", "lambda_k", "count"],
    };
    assert.deepEqual([...figs.keys()].sort(), Object.keys(want).sort());
    for (const [name, [title, x, y]] of Object.entries(want)) {
      const doc = parseXml(figs.get(name)!);
      const texts = [...doc.getElementsByTagName("text")];
      assert.equal(texts[0]!.textContent, title, name);
      assert.ok(texts.some((t) => t.textContent === x && t.getAttribute("transform") === null), `${name}: x label ${x}`);
      assert.ok(texts.some((t) => t.textContent === y && t.getAttribute("transform") !== null), `${name}: y label ${y}`);
    }
  });

  it("draws one tau-a bar per run, its height the run's tau-a (0.5 and 1.0 by hand), not tau-b", () => {
    assert.deepEqual(s.results.map((r) => r.metrics.tauA), [0.5, 1]);
    assert.ok(Math.abs(s.results[0]!.metrics.tauB! - 5 / Math.sqrt(90)) < 1e-12, "the tie sets tau-b apart from tau-a");
    const bars = elements(parseXml(figs.get("tau_by_mode.svg")!), "rect", "bars");
    assert.equal(bars.length, 2);
    const [one, k2] = bars.map((b) => ({ x: Number(b.getAttribute("x")), y: Number(b.getAttribute("y")), h: Number(b.getAttribute("height")) }));
    assert.ok(one!.x < k2!.x, "in the protocol's order");
    assert.ok(Math.abs(one!.h / k2!.h - 0.5) < 0.005, `heights ${one!.h}, ${k2!.h}: in the ratio of the values`);
    assert.ok(Math.abs(one!.y + one!.h - (k2!.y + k2!.h)) < 0.02, "both from the same zero line");
  });

  it("puts each scatter point at its own cell: x ordered as the truth, y as that run's scores, its title the cell", () => {
    const svg = parseXml(figs.get("scatter.svg")!);
    for (const [series, scores] of [["one-shot", ONE_SHOT], ["kshot K=2", KSHOT]] as const) {
      const group = elements(svg, "g").find((g) => (g.getAttribute("data-series") ?? "").startsWith(series))!;
      const points = [...group.getElementsByTagName("circle")].map((c) => ({
        cell: ARCHS.indexOf(c.getElementsByTagName("title")[0]!.textContent!), x: Number(c.getAttribute("cx")), y: Number(c.getAttribute("cy")),
      }));
      assert.deepEqual(points.map((p) => p.cell).sort(), [0, 1, 2, 3, 4], `${series}: every cell once, named`);
      for (const a of points) {
        for (const b of points) {
          if (a.cell === b.cell) continue;
          assert.equal(Math.sign(a.x - b.x), Math.sign(TRUTH[a.cell]! - TRUTH[b.cell]!), `${series}: x of cells ${a.cell}, ${b.cell}`);
          assert.equal(Math.sign(b.y - a.y), Math.sign(scores[a.cell]! - scores[b.cell]!), `${series}: y of cells ${a.cell}, ${b.cell} (SVG y grows down; equal scores, equal y)`);
        }
      }
    }
  });

  it("leaves runs without results out of the bars, draws tau against K in K's order from one-shot's line, and keeps cells far below the best out of the scatter", () => {
    const base = study();
    // K=4 (listed before K=2) with the truth's order reversed: tau-a -1; K=8 in the protocol but without results
    const reversed = TRUTH.map((t) => 1 - t);
    const k4: StudyRunResult = { ...base.results[1]!, label: "kshot K=4", K: 4, supernetAcc: reversed, metrics: rankMetrics(TRUTH, reversed) };
    const results = [base.results[0]!, k4, base.results[1]!];
    const runs = [{ mode: "oneshot" as const, K: 1 }, { mode: "kshot" as const, K: 4 }, { mode: "kshot" as const, K: 2 }, { mode: "kshot" as const, K: 8 }];
    const more: StudyResult = { ...base, results, protocol: { ...base.protocol, runs }, summary: summarize(results, runs, 1) };
    assert.equal(more.summary.length, 4, "the table keeps K=8's row");
    const f = studyFigures(more);
    assert.equal(elements(parseXml(f.get("tau_by_mode.svg")!), "rect", "bars").length, 3, "no bar for K=8");
    const vk = readPlot(f.get("tau_vs_k.svg")!);
    const line = vk.series("K-shot tau-a").getElementsByTagName("polyline")[0]!.getAttribute("points")!.split(" ").map((q) => q.split(",").map(Number));
    near(line[0]![0]!, vk.x.toPx(1), "K=2 first, at log2 2"); near(line[0]![1]!, vk.y.toPx(1), "K=2's tau-a");
    near(line[1]![0]!, vk.x.toPx(2), "then K=4, at log2 4"); near(line[1]![1]!, vk.y.toPx(-1), "K=4's tau-a");
    assert.ok(vk.legend.some((x) => x.name === "one-shot tau-a 0.500"), "the reference is one-shot's tau-a, not a K-shot run's");
    // without K-shot runs there is no tau-against-K figure
    const oneOnly: StudyResult = { ...base, results: [base.results[0]!], protocol: { ...base.protocol, runs: [runs[0]!] }, summary: summarize([base.results[0]!], [runs[0]!], 1) };
    assert.ok(!studyFigures(oneOnly).has("tau_vs_k.svg"));
    // a sixth cell at 0.5, more than 0.2 below the best (0.86): left out of the scatter, and counted in its title
    const low: StudyResult = {
      ...base, truth: { ...base.truth, arch: [...ARCHS, "|none~0|+|none~0|none~1|+|none~0|none~1|none~2|"], mean: [...TRUTH, 0.5] },
      results: base.results.map((r) => ({ ...r, supernetAcc: [...r.supernetAcc, 0.1] })),
    };
    const sc = parseXml(studyFigures(low).get("scatter.svg")!);
    assert.equal(sc.getElementsByTagName("title")[0]!.textContent, "Supernet vs stand-alone accuracy, seed 0 (1 cell(s) > 0.2 below the best not shown)");
    assert.equal(sc.getElementsByTagName("circle").length, 2 * 5, "five cells per run");
  });

  it("keeps a cell exactly the band below the best in the scatter, and draws no scatter before any run has finished", () => {
    const base = study();
    // truth 0.5 at best and 0.3 at the edge: 0.5 - 0.2 is 0.3 exactly in binary
    const edge: StudyResult = { ...base, truth: { ...base.truth, mean: [0.3, 0.5, 0.4, 0.45, 0.35] } };
    assert.equal(0.5 - 0.2, 0.3);
    const sc = parseXml(studyFigures(edge).get("scatter.svg")!);
    assert.equal(sc.getElementsByTagName("title")[0]!.textContent, "Supernet vs stand-alone accuracy, seed 0");
    assert.equal(sc.getElementsByTagName("circle").length, 2 * 5);
    const none: StudyResult = { ...base, results: [], summary: summarize([], base.protocol.runs, 1) };
    assert.deepEqual([...studyFigures(none).keys()], ["tau_by_mode.svg", "follows.svg", "high_group.svg"]);
  });

  it("draws tau against K without a one-shot line when the study has no one-shot run", () => {
    const base = study();
    const results = [base.results[1]!], runs = [base.protocol.runs[1]!];
    const kOnly: StudyResult = { ...base, results, protocol: { ...base.protocol, runs }, summary: summarize(results, runs, 1) };
    const vk = readPlot(studyFigures(kOnly).get("tau_vs_k.svg")!);
    assert.deepEqual(vk.legend.map((x) => x.name), [], "one series, no legend");
    assert.equal(parseXml(studyFigures(kOnly).get("tau_vs_k.svg")!).getElementsByTagName("polyline").length, 2, "the K-shot line and its error bar");
    assert.deepEqual(studyVerdicts(kOnly), []);
  });

  it("reads a study written before tau-b on working cells: its columns say not measured, and only tau-a gets a verdict", () => {
    const base = study();
    const old: StudyResult = { ...base, summary: base.summary.map((r) => { const { tauBWorking: _a, tauBWorkingMinusOneShot: _b, ...rest } = r; return rest as typeof r; }) };
    const table = studyTable(old).split("\n");
    assert.equal(cols(table[3]!)[4], "n/a (not measured by this kshot)");
    assert.equal(cols(table[3]!)[10], "—");
    assert.deepEqual(studyVerdicts(old).map((v) => v.split(":")[0]), ["kshot K=2 vs one-shot"]);
    assert.match(studyVerdicts(old)[0]!, /^kshot K=2 vs one-shot: tau-a \+0\.500 /);
  });

  it("writes the table, the verdicts and what the scores follow as a reader sees them, and puts each in the page", () => {
    // tau-a 0.5 and 1 and tau-b 5 / sqrt(90) as above; Spearman of one-shot: ranks [2, 4, 1, 3, 5] against [1.5, 4, 3, 1.5, 5], 6.5 / sqrt(95)
    assert.equal(studyTable(s), [
      "| scores    | seeds | tau-a         | tau-b         | tau-b working                 | tau within convs              | Spearman      | Pearson       | top-1 tau     | tau-a - one-shot | tau-b working - one-shot      |",
      "|-----------|-------|---------------|---------------|-------------------------------|-------------------------------|---------------|---------------|---------------|------------------|-------------------------------|",
      "| one-shot  | 1     | 0.500 ± 0.000 | 0.527 ± 0.000 | n/a (not defined in any seed) | n/a (not defined in any seed) | 0.667 ± 0.000 | 0.711 ± 0.000 | 1.000 ± 0.000 | —                | —                             |",
      "| kshot K=2 | 1     | 1.000 ± 0.000 | 1.000 ± 0.000 | n/a (not defined in any seed) | n/a (not defined in any seed) | 1.000 ± 0.000 | 0.998 ± 0.000 | 1.000 ± 0.000 | +0.500 ± 0.000   | n/a (not defined in any seed) |",
    ].join("\n"));
    assert.deepEqual(studyVerdicts(s), [
      "kshot K=2 vs one-shot: tau-a +0.500 ± 0.000 over 1 seed(s) (per seed 0.500); no interval from one seed; t-test n/a; sign test 1 up, 0 down, p = 1.0: not distinguishable from one-shot",
      "kshot K=2 vs one-shot: n/a (tau-b on working cells is not defined in any paired seed)",
    ]);
    const follows = studyFollows(s);
    assert.deepEqual(follows.map((l) => l.split(":")[0]), ["stand-alone truth", "one-shot", "kshot K=2"]);
    // K-shot orders the cells as the truth does, so what it follows is what the truth follows
    assert.equal(follows[2]!.split(": ")[1], follows[0]!.split(": ")[1]);
    assert.match(follows[0]!, /^stand-alone truth: none -?\d\.\d\d, skip_connect -?\d\.\d\d, nor_conv_1x1 -?\d\.\d\d, nor_conv_3x3 -?\d\.\d\d, avg_pool_3x3 -?\d\.\d\d$/);
    const dir = tempDir("kshot-report-");
    writeFileSync(join(dir, "study.json"), JSON.stringify({ ...s, protocol: { ...s.protocol, budget: BUDGET } }));
    const html = readFileSync(writeStudyReport(dir), "utf8");
    for (const line of [...studyVerdicts(s), ...follows]) assert.ok(html.includes(`<li>${escapeXml(line)}</li>`), line);
    assert.equal((html.match(/<figure><svg /g) ?? []).length, figs.size, "every figure in the page");
    assert.match(html, /Noise ceiling of the truth \(stand-alone accuracies, one seed against another\): not measured/);
  });

  it("counts in its titles the seeds that have finished, not the protocol's", () => {
    // one-shot has finished seeds 0 and 1, K-shot only seed 0, of the protocol's 3
    const base = study();
    const results = [...base.results, { ...base.results[0]!, seed: 1 }];
    const partial = { ...base, results, protocol: { ...base.protocol, seeds: [0, 1, 2] } };
    const title = (f: string) => parseXml(studyFigures(partial).get(f)!).getElementsByTagName("title")[0]!.textContent;
    assert.equal(title("tau_by_mode.svg"), "Kendall tau-a (Eq. 18) by supernet, mean ± sd over 2 seed(s)");
    assert.equal(title("lambda_K2.svg"), "Simplex-net codes, K=2: all lambda_k of 5 cells x 1 seed(s)");
  });

  it("writes the report and every figure beside study.json, naming the data the supernets saw", () => {
    const dir = tempDir("kshot-report-");
    assert.throws(() => writeStudyReport(dir), { message: `report: ${join(dir, "study.json")} is missing; is ${dir} a directory written by 'kshot study rank'?` });
    const base = study();
    const full = { ...base, protocol: { ...base.protocol, budget: BUDGET, dataDir: "/data/fmnist" } };
    writeFileSync(join(dir, "study.json"), JSON.stringify(full));
    const html = readFileSync(writeStudyReport(dir), "utf8");
    assert.match(html, /60000 Fashion-MNIST images from <code>\/data\/fmnist<\/code> of which 3000 held out/);
    for (const [name, svg] of studyFigures(full)) assert.equal(readFileSync(join(dir, name), "utf8"), `${svg}\n`, name);
    assert.ok(html.includes(escapeXml(studyTable(full))), "the table");
    writeFileSync(join(dir, "study.json"), JSON.stringify({ ...full, protocol: { ...full.protocol, dataDir: undefined } }));
    assert.match(readFileSync(writeStudyReport(dir), "utf8"), /60000 embedded Fashion-MNIST images of which 3000 held out/);
  });

  it("draws mean ± sd over seeds as a bar and its error bar, the truth's ceiling, tau against K and the high-group curve, on the axes' scales", () => {
    // two seeds per run: one-shot tau-a 0.5 (seed 0) and 1 (seed 1, K-shot's scores); K-shot 1 and 0.5
    const base = study();
    const r = (x: StudyRunResult, seed: number, acc: number[]): StudyRunResult => ({ ...x, seed, supernetAcc: acc, metrics: rankMetrics(TRUTH, acc) });
    const results = [r(base.results[0]!, 0, ONE_SHOT), r(base.results[0]!, 1, KSHOT), r(base.results[1]!, 0, KSHOT), r(base.results[1]!, 1, ONE_SHOT)];
    const two: StudyResult = { ...base, results, protocol: { ...base.protocol, seeds: [0, 1] }, summary: summarize(results, base.protocol.runs, 1),
      truth: { ...base.truth, ceiling: { kendallTauB: 0.6, spearman: 0.7, pairs: 1 } } };
    const figs2 = studyFigures(two);
    const bars = readPlot(figs2.get("tau_by_mode.svg")!, { xCategories: ["one-shot", "kshot K=2"] });
    const mean = 0.75, sd = 0.5 / Math.SQRT2;
    const rects = [...bars.series("tau-a").getElementsByTagName("rect")];
    for (const rect of rects) near(Number(rect.getAttribute("y")), bars.y.toPx(mean), "bar top at the mean");
    const errors = bars.series("tau-a").ownerDocument!.getElementsByTagName("polyline");
    const ys = [...errors].map((l) => l.getAttribute("points")!.split(" ").map((q) => Number(q.split(",")[1])));
    // two error bars from mean - sd to mean + sd, and the dashed ceiling at 0.6
    const spans = ys.filter((y) => y[0] !== y[1]);
    assert.equal(spans.length, 2);
    for (const y of spans) { near(y[0]!, bars.y.toPx(mean - sd), "error bar low"); near(y[1]!, bars.y.toPx(mean + sd), "error bar high"); }
    near(bars.series("noise ceiling, tau-b 0.60").getElementsByTagName("polyline")[0]!.getAttribute("points")!.split(" ").map((q) => Number(q.split(",")[1]))[0]!, bars.y.toPx(0.6), "ceiling");
    // tau vs K: the K=2 point at log2 2 = 1, its mean tau-a; one-shot's mean as a flat line
    const vk = readPlot(figs2.get("tau_vs_k.svg")!);
    const pt = vk.series("K-shot tau-a").getElementsByTagName("circle")[0]!;
    near(Number(pt.getAttribute("cx")), vk.x.toPx(1), "K = 2 at x = 1");
    near(Number(pt.getAttribute("cy")), vk.y.toPx(0.75), "K-shot's mean tau-a");
    const flat = vk.series("one-shot tau-a 0.750").getElementsByTagName("polyline")[0]!.getAttribute("points")!.split(" ").map((q) => q.split(",").map(Number));
    near(flat[0]![1]!, vk.y.toPx(0.75), "one-shot's line"); near(flat[0]![0]!, vk.x.toPx(0), "from K = 1");
    // high-group tau at every group size k: the mean over the run's seeds of each seed's value
    const hg = readPlot(figs2.get("high_group.svg")!);
    const line = hg.series("one-shot").getElementsByTagName("polyline")[0]!.getAttribute("points")!.split(" ").map((q) => q.split(",").map(Number));
    assert.equal(line.length, 4);
    line.forEach(([x, y], i) => {
      const k = i + 1;
      const want = (results[0]!.metrics.highGroup[k - 1]! + results[1]!.metrics.highGroup[k - 1]!) / 2;
      near(x!, hg.x.toPx(k), `k = ${k}`); near(y!, hg.y.toPx(want), `high-group tau at k = ${k}`);
    });
    // the codes' histogram counts every lambda entry of the run's seeds once
    const lam = parseXml(figs2.get("lambda_K2.svg")!);
    const heights = elements(lam, "rect", "bars").map((b) => Number(b.getAttribute("height")));
    assert.ok(heights.filter((h) => h > 0).length >= 1);
    assert.match(lam.getElementsByTagName("title")[0]!.textContent!, /of 5 cells x 2 seed\(s\)/);
  });

  it("calls a difference above or below one-shot only when its t-test rejects at 5%, and prints both tests", () => {
    const base = study();
    const row = base.summary[1]!;
    const diff = (perSeed: number[]) => ({ ...meanSd(perSeed), perSeed, test: pairedTest(perSeed) });
    const up = diff([0.1, 0.12, 0.11, 0.13]), down = diff([-0.1, -0.12, -0.11, -0.13]), noisy = diff([0.1, -0.12, 0.11, 0.13]);
    const lines = studyVerdicts({ ...base, summary: [base.summary[0]!, { ...row, tauAMinusOneShot: up, tauBWorkingMinusOneShot: down }, { ...row, label: "x", tauAMinusOneShot: noisy, tauBWorkingMinusOneShot: null }] });
    assert.equal(lines.length, 3);
    const t = up.test!;
    assert.equal(lines[0], `kshot K=2 vs one-shot: tau-a +0.115 ± ${t.sd.toFixed(3)} over 4 seed(s) (per seed 0.100, 0.120, 0.110, 0.130); ` +
      `95% interval [+${t.ci95![0].toFixed(3)}, +${t.ci95![1].toFixed(3)}]; t = ${t.t!.toFixed(2)}, p = ${t.pValue!.toPrecision(2)}; sign test 4 up, 0 down, p = 0.13: above one-shot`); // sign test: 2 x 0.5^4 = 0.125
    assert.ok(t.pValue! < 0.05);
    assert.match(lines[1]!, /^kshot K=2 vs one-shot: tau-b on working cells -0\.115 .*95% interval \[-0\.\d+, -0\.\d+\]; .*sign test 0 up, 4 down, p = 0\.13: below one-shot$/);
    assert.ok(noisy.test!.pValue! >= 0.05);
    assert.match(lines[2]!, /^x vs one-shot: tau-a \+0\.055 .*sign test 3 up, 1 down, p = 0\.63: not distinguishable from one-shot$/); // 2 x 5/16
  });

  it("lists the predictors under the runs in the table, each with its single value, and leaves out runs without results", () => {
    const base = study();
    const predictors = [{ name: "convolutions", metrics: rankMetrics(TRUTH, [0, 1, 0, 1, 2]) }];
    const table = studyTable({ ...base, predictors, summary: [...base.summary, { ...base.summary[1]!, label: "kshot K=8", K: 8, tauA: { mean: null, sd: null, n: 0 } }] }).split("\n");
    assert.equal(table.length, 2 + 2 + 1, "head, rule, two runs, one predictor");
    const m = predictors[0]!.metrics;
    assert.deepEqual(cols(table[4]!), ["convolutions (predictor)", "—", m.tauA!.toFixed(3), m.tauB!.toFixed(3), "n/a", "n/a", m.spearman!.toFixed(3), m.pearson!.toFixed(3), m.highGroup[0]!.toFixed(3), "—", "—"]);
    assert.deepEqual(cols(table[2]!).slice(0, 2), ["one-shot", "1"]);
    assert.equal(cols(table[3]!)[9], "+" + cols(table[3]!)[9]!.slice(1), "a positive difference is signed");
  });

  it("plots tau-b on working cells along training, the mean over seeds at each step, with the predictors flat", () => {
    const base = study();
    const point = (step: number, tauBWorking: number | null) => ({ step, meanAcc: 0.5, metrics: { ...base.results[0]!.metrics, tauBWorking } });
    const results = [
      { ...base.results[0]!, seed: 0, curve: [point(200, 0.4), point(100, 0.2), point(300, null)] }, // stored out of step order
      { ...base.results[0]!, seed: 1, curve: [point(100, 0.4), point(200, null), point(300, null)] }, // 200: the one defined; 300: none, no point
      { ...base.results[1]!, seed: 0, curve: [point(100, 0.9), point(200, 0.9)] }, // another run's curve, kept apart
    ];
    const withCurves: StudyResult = { ...base, results, summary: summarize(results, base.protocol.runs, 1),
      predictors: [{ name: "convolutions", metrics: { ...base.results[0]!.metrics, tauBWorking: 0.5 } }, { name: "params", metrics: { ...base.results[0]!.metrics, tauBWorking: null } }] };
    const p = readPlot(studyFigures(withCurves).get("tau_vs_steps.svg")!);
    const pts = p.series("one-shot: tau-b, working cells").getElementsByTagName("polyline")[0]!.getAttribute("points")!.split(" ").map((q) => q.split(",").map(Number));
    assert.equal(pts.length, 2);
    near(pts[0]![0]!, p.x.toPx(100), "step 100"); near(pts[0]![1]!, p.y.toPx(0.3), "mean of 0.2 and 0.4");
    near(pts[1]![0]!, p.x.toPx(200), "step 200"); near(pts[1]![1]!, p.y.toPx(0.4), "the defined value alone");
    const flat = p.series("convolutions (predictor)").getElementsByTagName("polyline")[0]!.getAttribute("points")!.split(" ").map((q) => q.split(",").map(Number));
    near(flat[0]![1]!, p.y.toPx(0.5), "predictor"); near(flat[1]![1]!, p.y.toPx(0.5), "flat");
    near(flat[0]![0]!, p.x.toPx(100), "from the first step"); near(flat[1]![0]!, p.x.toPx(200), "to the last plotted");
    const k2 = p.series("kshot K=2: tau-b, working cells").getElementsByTagName("polyline")[0]!.getAttribute("points")!.split(" ").map((q) => q.split(",").map(Number));
    near(k2[0]![1]!, p.y.toPx(0.9), "K=2's own curve"); near(k2[1]![1]!, p.y.toPx(0.9), "K=2's own curve");
    assert.ok(!p.legend.some((x) => x.name === "params (predictor)"), "a predictor without a value draws no line");
    assert.equal(studyFigures(study()).has("tau_vs_steps.svg"), false, "no curve, no figure");
    const { predictors: _, ...older } = withCurves;
    assert.deepEqual(readPlot(studyFigures(older).get("tau_vs_steps.svg")!).legend.map((x) => x.name), ["one-shot: tau-b, working cells", "kshot K=2: tau-b, working cells"], "a study without predictors: the runs alone");
  });

  it("draws what the scores follow as one bar per op and row, at its tau-b", () => {
    const s = study();
    const p = readPlot(studyFigures(s).get("follows.svg")!, { xCategories: ["none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3"] });
    const rows = studyOpDependence(s);
    assert.deepEqual(rows.map((r) => r.label), ["stand-alone truth", "one-shot", "kshot K=2"]);
    for (const row of rows) {
      const rects = [...p.series(row.label).getElementsByTagName("rect")];
      assert.equal(rects.length, 5);
      ["none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3"].forEach((op, i) => {
        const v = row.tauB[op as keyof typeof row.tauB] ?? 0;
        const [y, h] = [Number(rects[i]!.getAttribute("y")), Number(rects[i]!.getAttribute("height"))];
        const top = v >= 0 ? y : y + h;
        assert.ok(Math.abs(top - p.y.toPx(v)) < 0.02, `${row.label} ${op}: ${top} vs ${p.y.toPx(v)}`);
        const x = Number(rects[i]!.getAttribute("x")) + Number(rects[i]!.getAttribute("width")) / 2;
        assert.ok(Math.abs(x - p.x.toPx(i)) < p.x.toPx(0.45) - p.x.toPx(0), `${op}'s bar by its label`);
        // row j's bar is the j-th of three side by side in the op's slot from i - 0.4 to i + 0.4
        const j = rows.indexOf(row);
        assert.ok(Math.abs(Number(rects[i]!.getAttribute("x")) - p.x.toPx(i - 0.4 + (j * 0.8) / 3)) < 0.02, `${row.label} ${op}: its place in the slot`);
      });
    }
  });
});
