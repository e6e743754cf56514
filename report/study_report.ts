import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { formatMeanSd, formatStatistic, meanSd, studyOpDependence, type MeanSd, type PairedDifference, type RankMetrics, type Statistic, type StudyResult, type StudySummaryRow } from "../nas/study/statistics.js";
import { NB201_OPS } from "../nas/nb201/arch.js";
import { PALETTE, escapeXml, histogram, renderPlot, type LineMark, type Mark } from "./svg.js";

/** The scatter shows cells whose truth lies within this of the best. */
const SCATTER_BAND = 0.2;

/** The predictors' flat lines on the training curve, in greys apart from the runs' colours. */
const PREDICTOR_GREYS = ["#888888", "#aaaaaa", "#444444", "#666666"];

/** A statistic as drawn: a run whose value is undefined in every seed draws nothing above 0 (the table says n/a). */
const plotted = (v: number | null): number => v ?? 0;

/** Vertical error bars (mean ± sd) at x positions, drawn as unnamed lines (kept out of the legend). */
function errorBars(x: readonly number[], mean: readonly number[], sd: readonly number[], color: string): Mark[] {
  return x.map((xi, i) => ({ kind: "line" as const, name: "", x: [xi, xi], y: [mean[i]! - sd[i]!, mean[i]! + sd[i]!], color }));
}

function ceilingLine(s: StudyResult, x0: number, x1: number): Mark[] {
  const c = s.truth.ceiling;
  return c === null ? [] : [{ kind: "line", name: `noise ceiling, tau-b ${c.kendallTauB.toFixed(2)}`, x: [x0, x1], y: [c.kendallTauB, c.kendallTauB], dashed: true, color: "#444444" }];
}

/** The figures of a rank study, by file name. */
export function studyFigures(s: StudyResult): Map<string, string> {
  const figs = new Map<string, string>();
  const rows = s.summary.filter((r) => r.tauA.n > 0);
  // the seeds with a finished run: a study in progress has fewer than its protocol's
  const seeds = new Set(s.results.map((r) => r.seed)).size;

  // Table 4 / 6: tau by run, mean ± sd over seeds
  const xs = rows.map((_, i) => i);
  figs.set("tau_by_mode.svg", renderPlot({
    title: `Kendall tau-a (Eq. 18) by supernet, mean ± sd over ${seeds} seed(s)`, xLabel: "supernet", yLabel: "Kendall tau-a vs stand-alone",
    xCategories: rows.map((r) => r.label), xDomain: [-0.6, rows.length - 0.4],
    marks: [
      { kind: "bars", name: "tau-a", x0: xs.map((x) => x - 0.3), x1: xs.map((x) => x + 0.3), y: rows.map((r) => plotted(r.tauA.mean)), color: PALETTE[0] },
      ...errorBars(xs, rows.map((r) => plotted(r.tauA.mean)), rows.map((r) => plotted(r.tauA.sd)), "#222222"),
      ...ceilingLine(s, -0.6, rows.length - 0.4),
    ],
    legendBelow: true,
  }));

  // tau against training: every run's curve (mean over seeds at each step; a step where tau-b is undefined in
  // every seed draws no point), coloured by its place (renderPlot's default), the predictors as flat grey lines
  const runLines: LineMark[] = rows.map((row): LineMark => {
    const rs = s.results.filter((x) => x.label === row.label && x.curve !== undefined);
    const steps = [...new Set(rs.flatMap((x) => x.curve!.map((c) => c.step)))].sort((a, b) => a - b);
    const at = (step: number) => meanSd(rs.map((x) => x.curve!.find((c) => c.step === step)?.metrics.tauBWorking ?? null)).mean;
    const kept = steps.filter((st) => at(st) !== null);
    return { kind: "line", name: `${row.label}: tau-b, working cells`, x: kept, y: kept.map((st) => at(st)!), markers: true };
  }).filter((line) => line.x.length > 0);
  if (runLines.length > 0) {
    const allSteps = runLines.flatMap((m) => m.x);
    const [lo, hi] = [Math.min(...allSteps), Math.max(...allSteps)];
    const predictorLines: LineMark[] = (s.predictors ?? []).filter((p) => p.metrics.tauBWorking !== null).map((p, j) => ({
      kind: "line", name: `${p.name} (predictor)`, x: [lo, hi], y: [p.metrics.tauBWorking!, p.metrics.tauBWorking!], dashed: true, color: PREDICTOR_GREYS[j % PREDICTOR_GREYS.length],
    }));
    const curveMarks = [...runLines, ...predictorLines];
    figs.set("tau_vs_steps.svg", renderPlot({ title: `Tau-b on working cells along training, mean over ${seeds} seed(s)`, xLabel: "supernet steps", yLabel: "tau-b vs stand-alone", marks: curveMarks, legendBelow: true }));
  }

  // what the scores follow: tau-b of each op's count against the truth and against each run's scores
  const follows = studyOpDependence(s);
  const width = 0.8 / follows.length;
  figs.set("follows.svg", renderPlot({
    title: "What the scores follow: Kendall tau-b of each op's count in a cell against the scores (working cells)",
    xLabel: "op", yLabel: "tau-b (count of the op vs score)", xCategories: [...NB201_OPS], xDomain: [-0.6, NB201_OPS.length - 0.4], legendBelow: true,
    marks: follows.map((row, j) => ({
      kind: "bars" as const, name: row.label, color: j === 0 ? "#444444" : PALETTE[(j - 1) % PALETTE.length],
      x0: NB201_OPS.map((_, i) => i - 0.4 + j * width), x1: NB201_OPS.map((_, i) => i - 0.4 + (j + 1) * width), y: NB201_OPS.map((op) => plotted(row.tauB[op])),
    })),
  }));

  // Table 9 / Figure 4: tau vs K for the K-shot runs, one-shot as K = 1's reference
  const kshot = rows.filter((r) => r.mode === "kshot").sort((a, b) => a.K - b.K);
  if (kshot.length > 0) {
    const oneShot = rows.find((r) => r.mode === "oneshot");
    const ks = kshot.map((r) => Math.log2(r.K));
    const marks: Mark[] = [
      { kind: "line", name: "K-shot tau-a", x: ks, y: kshot.map((r) => plotted(r.tauA.mean)), markers: true, color: PALETTE[0] },
      ...errorBars(ks, kshot.map((r) => plotted(r.tauA.mean)), kshot.map((r) => plotted(r.tauA.sd)), PALETTE[0]!),
    ];
    const ref = oneShot?.tauA.mean ?? null;
    if (ref !== null) marks.push({ kind: "line", name: `one-shot tau-a ${ref.toFixed(3)}`, x: [Math.min(0, ...ks), Math.max(...ks)], y: [ref, ref], dashed: true, color: PALETTE[1] });
    figs.set("tau_vs_k.svg", renderPlot({ title: "Kendall tau-a vs K (x: log2 K)", xLabel: "log2 K", yLabel: "Kendall tau-a vs stand-alone", marks, legendBelow: true }));
  }

  // supernet vs stand-alone accuracy, first seed, one colour per run; cells far below the best (constant outputs at chance) would squash the rest
  const first = s.protocol.seeds[0];
  const best = Math.max(...s.truth.mean);
  const shown = s.truth.mean.map((m, i) => (m >= best - SCATTER_BAND ? i : -1)).filter((i) => i >= 0);
  const scatter: Mark[] = s.results.filter((r) => r.seed === first).map((r) => ({
    kind: "points" as const, name: `${r.label} (tau-a ${formatStatistic(r.metrics.tauA, 2)} over all ${s.truth.arch.length})`, x: shown.map((c) => s.truth.mean[c]!), y: shown.map((c) => r.supernetAcc[c]!),
    opacity: 0.7, labels: shown.map((c) => s.truth.arch[c]!),
  }));
  const off = s.truth.arch.length - shown.length;
  if (scatter.length > 0) {
    figs.set("scatter.svg", renderPlot({
      title: `Supernet vs stand-alone accuracy, seed ${first}${off > 0 ? ` (${off} cell(s) > ${SCATTER_BAND} below the best not shown)` : ""}`,
      xLabel: "stand-alone test accuracy (truth mean)", yLabel: "supernet accuracy on held-out images", marks: scatter, legendBelow: true, width: 620,
    }));
  }

  // Figure 5: high-group tau vs group size, mean over seeds
  const n = s.truth.arch.length;
  const sizes = Array.from({ length: n - 1 }, (_, i) => i + 1);
  const hg: Mark[] = rows.map((row) => {
    const rs = s.results.filter((r) => r.label === row.label);
    return { kind: "line" as const, name: row.label, x: sizes, y: sizes.map((k) => plotted(meanSd(rs.map((r) => r.metrics.highGroup[k - 1] ?? null)).mean)) };
  });
  figs.set("high_group.svg", renderPlot({ title: "High-performance-group tau (Figure 5), mean over seeds", xLabel: "cells in the high group (top by stand-alone accuracy)", yLabel: "high-group tau", marks: hg, legendBelow: true }));

  // Figure 6: the codes per K, pooled over cells, seeds and entries
  for (const row of kshot.filter((r) => r.K > 1)) {
    const runs = s.results.filter((r) => r.label === row.label);
    const values = runs.flatMap((r) => r.lambda.flat());
    figs.set(`lambda_K${row.K}.svg`, renderPlot({
      title: `Simplex-net codes, K=${row.K}: all lambda_k of ${n} cells x ${runs.length} seed(s)`, xLabel: "lambda_k", yLabel: "count", xDomain: [0, 1],
      marks: [
        { kind: "bars", name: "lambda_k", ...histogram(values, 0, 1, 25), color: PALETTE[0] },
        { kind: "line", name: `1/K = ${(1 / row.K).toFixed(3)}`, x: [1 / row.K, 1 / row.K], y: [0, Math.max(1, ...histogram(values, 0, 1, 25).y)], dashed: true, color: PALETTE[1] },
      ],
    }));
  }
  return figs;
}

const pm = (m: MeanSd | undefined) => (m === undefined ? "n/a (not measured by this kshot)" : formatMeanSd(m));

/**
 * The study's table as text (the CLI prints it; the report shows it): each
 * run's mean ± sd over seeds, over all cells, over working cells and within
 * strata of equal convolution count, then the zero-cost predictors' values
 * on the same cells (one value each: they have no seed).
 */
/** A paired difference's mean ± sd with its sign, or a dash for one-shot itself. */
function difference(d: PairedDifference | null): string {
  return d === null ? "—" : `${(d.mean ?? -1) >= 0 ? "+" : ""}${pm(d)}`;
}

export function studyTable(s: StudyResult): string {
  const head = ["scores", "seeds", "tau-a", "tau-b", "tau-b working", "tau within convs", "Spearman", "Pearson", `top-${s.highGroupSize} tau`, "tau-a - one-shot", "tau-b working - one-shot"];
  const line = (r: StudySummaryRow) => [r.label, String(r.tauA.n), pm(r.tauA), pm(r.tauB), pm(r.tauBWorking), pm(r.tauWithinConvs), pm(r.spearman), pm(r.pearson), pm(r.highGroup),
    difference(r.tauAMinusOneShot), difference(r.tauBWorkingMinusOneShot ?? null)];
  const one = (x: Statistic) => formatStatistic(x);
  const predictor = (p: { name: string; metrics: RankMetrics }) => [`${p.name} (predictor)`, "—", one(p.metrics.tauA), one(p.metrics.tauB), one(p.metrics.tauBWorking),
    one(p.metrics.tauWithinConvs), one(p.metrics.spearman), one(p.metrics.pearson), one(p.metrics.highGroup[s.highGroupSize - 1] ?? null), "—", "—"];
  const cells = [head, ...s.summary.filter((r) => s.results.some((x) => x.label === r.label)).map(line), ...(s.predictors ?? []).map(predictor)];
  const widths = head.map((_, j) => Math.max(...cells.map((c) => c[j]!.length)));
  return cells.map((c) => `| ${c.map((v, j) => v.padEnd(widths[j]!)).join(" | ")} |`).flatMap((l, i) => (i === 0 ? [l, `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`] : [l])).join("\n");
}

/** "What the scores follow" as text: per row, tau-b of each op's count against the scores (working cells). */
export function studyFollows(s: StudyResult): string[] {
  return studyOpDependence(s).map((row) => `${row.label}: ${NB201_OPS.map((op) => `${op} ${formatStatistic(row.tauB[op], 2)}`).join(", ")}`);
}

/**
 * One line per run against one-shot, from the per-seed paired differences in
 * tau-a: the mean with its 95% interval, Student's t and the sign test's
 * p-values; "above" or "below" one-shot only where the t-test rejects no
 * difference at 5% (2 seeds or more), else "not distinguishable", so that a
 * reader does not take noise for a result.
 */
export function studyVerdicts(s: StudyResult): string[] {
  return s.summary.flatMap((r) => [
    ...(r.tauAMinusOneShot === null ? [] : [verdict(r.label, "tau-a", r.tauAMinusOneShot)]),
    ...(r.tauBWorkingMinusOneShot === undefined || r.tauBWorkingMinusOneShot === null ? [] : [verdict(r.label, "tau-b on working cells", r.tauBWorkingMinusOneShot)]),
  ]);
}

/** One paired comparison against one-shot in words: the differences, the interval, both tests, and the call at 5%. */
function verdict(label: string, statistic: string, d: PairedDifference): string {
  const test = d.test;
  if (test === null) return `${label} vs one-shot: n/a (${statistic} is not defined in any paired seed)`;
  const sign = (v: number) => `${v >= 0 ? "+" : ""}${v.toFixed(3)}`;
  const ci = test.ci95 === null ? "no interval from one seed" : `95% interval [${sign(test.ci95[0])}, ${sign(test.ci95[1])}]`;
  const p = test.pValue === null ? "t-test n/a" : `t = ${test.t!.toFixed(2)}, p = ${test.pValue.toPrecision(2)}`;
  const call = test.pValue !== null && test.pValue < 0.05 ? (test.mean > 0 ? "above one-shot" : "below one-shot") : "not distinguishable from one-shot";
  return `${label} vs one-shot: ${statistic} ${sign(test.mean)} ± ${test.sd.toFixed(3)} over ${test.n} seed(s) (per seed ${d.perSeed.map((v) => formatStatistic(v)).join(", ")}); ` +
    `${ci}; ${p}; sign test ${test.sign.positive} up, ${test.sign.negative} down, p = ${test.sign.pValue.toPrecision(2)}: ${call}`;
}

/** Writes report.html and its figures for the study in `dir`; returns the HTML's path. */
export function writeStudyReport(dir: string): string {
  const path = join(dir, "study.json");
  if (!existsSync(path)) throw new Error(`report: ${path} is missing; is ${dir} a directory written by 'kshot study rank'?`);
  const s = JSON.parse(readFileSync(path, "utf8")) as StudyResult;
  const figs = studyFigures(s);
  for (const [name, svg] of figs) writeFileSync(join(dir, name), `${svg}\n`);
  const b = s.protocol.budget, c = s.truth.ceiling;
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>kshot rank study: ${escapeXml(dir)}</title>
<style>body{font-family:sans-serif;max-width:1180px;margin:2em auto;color:#222}figure{display:inline-block;margin:0.5em}pre{background:#f6f6f6;padding:0.6em}</style>
</head><body>
<h1>kshot rank study</h1>
<p>${s.truth.arch.length} NAS-Bench-201 cells of <code>${escapeXml(s.protocol.truth.path)}</code> scored on supernets (C=${b.C}, N=${b.N}, ${b.epochs} epochs with ${b.warmupEpochs} warm-up,
${b.trainLimit} ${s.protocol.dataDir === undefined ? "embedded Fashion-MNIST images" : `Fashion-MNIST images from <code>${escapeXml(s.protocol.dataDir)}</code>`} of which ${b.valSize} held out, batch ${b.batchSize}, simplex-net m=${b.m} over ${b.simplexBatch} images),
seeds ${s.protocol.seeds.join(", ")}; ${Math.round(s.seconds)} s in this session.</p>
<p>Noise ceiling of the truth (stand-alone accuracies, one seed against another): ${c === null ? "not measured (one seed)" : `Kendall tau-b ${c.kendallTauB.toFixed(3)}, Spearman ${c.spearman.toFixed(3)}`}.</p>
<pre>${escapeXml(studyTable(s))}</pre>
<ul>${studyVerdicts(s).map((v) => `<li>${escapeXml(v)}</li>`).join("")}</ul>
<p>What the scores follow: Kendall tau-b of each op's count in a cell against the scores, over the working cells.</p>
<ul>${studyFollows(s).map((v) => `<li>${escapeXml(v)}</li>`).join("")}</ul>
<p>A difference is called only when a paired t-test over seeds rejects "no difference" at 5%; compare every tau with the truth's noise ceiling above.</p>
${[...figs.values()].map((svg) => `<figure>${svg}</figure>`).join("\n")}
</body></html>
`;
  const out = join(dir, "report.html");
  writeFileSync(out, html);
  return out;
}
