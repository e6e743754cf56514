import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { MainJobSummary } from "../app/main_job.js";
import type { SearchedPath } from "../nas/search/supernet_search.js";
import type { SupernetConfig } from "../nas/supernet/session.js";
import { PALETTE, escapeXml, histogram, renderPlot, type Mark } from "./svg.js";

/** The figures of a main-job run, by file name. */
export function runFigures(s: MainJobSummary, evaluated: readonly SearchedPath[]): Map<string, string> {
  const figs = new Map<string, string>();
  const ep = s.supernet.epochs;
  const lossMarks: Mark[] = [{ kind: "line", name: "supernet loss", x: ep.map((e) => e.epoch), y: ep.map((e) => e.supernetLoss), markers: true }];
  const simplex = ep.filter((e) => e.simplexLoss !== null);
  if (simplex.length > 0) lossMarks.push({ kind: "line", name: "simplex-net loss", x: simplex.map((e) => e.epoch), y: simplex.map((e) => e.simplexLoss!), markers: true });
  figs.set("loss.svg", renderPlot({ title: "Supernet training (epoch 1 is warm-up)", xLabel: "epoch", yLabel: "mean training loss", marks: lossMarks }));

  const bound = s.options.maxMflops;
  const best = s.search.best;
  const accs = evaluated.map((p) => p.acc);
  figs.set("front.svg", renderPlot({
    title: "Search: supernet accuracy vs FLOPs", xLabel: "MFLOPs (NAS-Bench-201 convention)", yLabel: "accuracy on held-out images", legendBelow: true,
    marks: [
      { kind: "points", name: `evaluated (${evaluated.length})`, x: evaluated.map((p) => p.mflops), y: accs, opacity: 0.25, color: "#7f7f7f", labels: evaluated.map((p) => p.arch) },
      { kind: "line", name: "Pareto front", x: s.search.front.map((p) => p.mflops), y: s.search.front.map((p) => p.acc), markers: true, color: PALETTE[0] },
      { kind: "line", name: `bound ${bound} MFLOPs`, x: [bound, bound], y: [Math.min(...accs), Math.max(...accs)], dashed: true, color: "#aaaaaa" },
      { kind: "callout", name: "", x: best.mflops, y: best.acc, text: "chosen", color: PALETTE[1] },
    ],
  }));

  const K = best.lambda.length;
  const lambdaMarks: Mark[] = Array.from({ length: K }, (_, k) => ({
    kind: "bars" as const, name: `lambda_${k + 1}`, opacity: 0.45, ...histogram(evaluated.map((p) => p.lambda[k]!), 0, 1, 20),
  }));
  figs.set("lambda.svg", renderPlot({ title: `Simplex-net codes of the ${evaluated.length} evaluated paths (K=${K})`, xLabel: "lambda_k", yLabel: "paths", marks: lambdaMarks, xDomain: [0, 1] }));

  const r = s.retrain;
  const cells = [r.chosen, ...r.baseline];
  figs.set("retrain.svg", renderPlot({
    title: `Stand-alone test accuracy (${r.trainImages} images, ${r.recipe.epochs} epochs)`, xLabel: unitWord(s.supernet.config), yLabel: "test accuracy",
    xCategories: ["chosen", ...r.baseline.map((_, i) => `random ${i + 1}`)], xDomain: [-0.6, cells.length - 0.4],
    yDomain: [Math.max(0, Math.min(...cells.map((c) => c.testAcc)) - 0.05), Math.min(1, Math.max(...cells.map((c) => c.testAcc)) + 0.03)],
    marks: [
      { kind: "bars", name: "chosen", x0: [-0.35], x1: [0.35], y: [r.chosen.testAcc], color: PALETTE[1] },
      { kind: "bars", name: "random under the bound", x0: r.baseline.map((_, i) => i + 0.65), x1: r.baseline.map((_, i) => i + 1.35), y: r.baseline.map((b) => b.testAcc), color: "#7f7f7f" },
      { kind: "line", name: "random mean", x: [-0.6, cells.length - 0.4], y: [r.baselineMean, r.baselineMean], dashed: true, color: "#444444" },
    ],
  }));
  return figs;
}

/** What a run's architectures are called: NAS-Bench-201 searches cells, the MobileNetV2 space whole networks. */
export function unitWord(c: Pick<SupernetConfig, "space">): "cell" | "network" {
  return c.space === "mbv2" ? "network" : "cell";
}

/** Where the chosen cell's (network's) stand-alone accuracy stands against the random ones' mean, in words (the report and the CLI). */
export function retrainVerdict(r: MainJobSummary["retrain"], unit: "cell" | "network" = "cell"): string {
  return r.chosen.testAcc > r.baselineMean
    ? `above the random ${unit}s' mean by ${((r.chosen.testAcc - r.baselineMean) * 100).toFixed(2)} points`
    : `not above the random ${unit}s' mean (by ${((r.baselineMean - r.chosen.testAcc) * 100).toFixed(2)} points below)`;
}

/** 1st, 2nd, 3rd, 4th, .., 11th, 12th, 13th, .., 21st, .., 72nd. */
export function ordinal(n: number): string {
  const teen = n % 100 >= 11 && n % 100 <= 13;
  const suffix = teen ? "th" : ({ 1: "st", 2: "nd", 3: "rd" } as Record<number, string>)[n % 10] ?? "th";
  return `${n}${suffix}`;
}

/** Where the pick stands among the truth's cells under the bound, in words; null without a truth (the report and the CLI). */
export function truthStandingLine(t: MainJobSummary["retrain"]["truth"] | undefined): string | null {
  if (t === null || t === undefined) return null;
  if (t.differs !== null) return `no percentile among the truth's cells (${t.path}): the retraining's protocol is not the truth's (${t.differs.join("; ")})`;
  if (t.chosenPercentile === null) return `no percentile among the truth's cells: none of them is within the bound (${t.path})`;
  return `among the truth's ${t.cellsUnderBound} cells under the bound, the chosen cell stands at the ${ordinal(Math.round(t.chosenPercentile))} percentile ` +
    `(random cells: ${t.baselinePercentiles.map((x) => (x === null ? "n/a" : x.toFixed(0))).join(" / ")}; a random pick stands at the 50th on average)`;
}

/** The supernet of a run in words: its space and network. */
export function supernetWords(c: MainJobSummary["supernet"]["config"]): string {
  return c.space === "mbv2" ? `MobileNetV2-space supernet (mini macro${c.searchWidth === true ? ", widths searched with r_c" : ""})` : `NAS-Bench-201 supernet (C=${c.C}, N=${c.N})`;
}

function readJson<T>(dir: string, file: string): T {
  const path = join(dir, file);
  if (!existsSync(path)) throw new Error(`report: ${path} is missing; is ${dir} a directory written by 'kshot run'?`);
  try {
    return JSON.parse(readFileSync(path, "utf8")) as T;
  } catch (e) {
    throw new Error(`report: ${path} is not valid JSON (${(e as Error).message})`);
  }
}

/** Writes report.html (and each figure as an .svg) for the main-job run in `dir`; returns the HTML's path. */
export function writeRunReport(dir: string): string {
  const s = readJson<MainJobSummary>(dir, "summary.json");
  if (s.search?.best === undefined || s.retrain?.chosen === undefined || s.supernet?.epochs === undefined) {
    throw new Error(`report: ${join(dir, "summary.json")} is not the summary of a 'kshot run' (it has no search, retraining or supernet section)`);
  }
  const evaluated = readJson<SearchedPath[]>(dir, "evaluated.json");
  const figs = runFigures(s, evaluated);
  for (const [name, svg] of figs) writeFileSync(join(dir, name), `${svg}\n`);
  const r = s.retrain;
  const unit = unitWord(s.supernet.config);
  const verdict = retrainVerdict(r, unit);
  const standing = truthStandingLine(r.truth);
  const row = (label: string, c: { arch: string; testAcc: number; params: number; macs: number }) =>
    `<tr><td>${escapeXml(label)}</td><td>${c.testAcc.toFixed(4)}</td><td>${c.params}</td><td>${c.macs}</td><td><code>${escapeXml(c.arch)}</code></td></tr>`;
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>kshot run: ${escapeXml(dir)}</title>
<style>body{font-family:sans-serif;max-width:1180px;margin:2em auto;color:#222}figure{display:inline-block;margin:0.5em}table{border-collapse:collapse}td,th{padding:2px 8px;border-bottom:1px solid #ddd;text-align:left}code{font-size:90%}</style>
</head><body>
<h1>kshot run</h1>
<p>K=${s.supernet.config.K} ${supernetWords(s.supernet.config)}, ${s.supernet.epochs.length} epochs;
NSGA-II, ${s.search.evaluations} evaluations, ${s.search.generations} generations (${escapeXml(s.search.stopped)}), bound ${s.options.maxMflops} MFLOPs;
${Math.round(s.seconds)} s in all.</p>
<p><b>Chosen ${unit}, trained stand-alone: test accuracy ${r.chosen.testAcc.toFixed(4)}</b>, ${verdict}
(random ${unit}s under the same bound: ${r.baseline.map((b) => b.testAcc.toFixed(4)).join(" / ")}).</p>
${standing === null ? "" : `<p>${escapeXml(standing)}</p>`}
<table><tr><th>${unit}</th><th>test accuracy</th><th>params</th><th>MACs</th><th>architecture</th></tr>
${row("chosen", r.chosen)}
${r.baseline.map((b, i) => row(`random ${i + 1}`, b)).join("\n")}
</table>
${[...figs.values()].map((svg) => `<figure>${svg}</figure>`).join("\n")}
<h2>Pareto front (one row per function)</h2>
<table><tr><th>supernet accuracy</th><th>MFLOPs</th><th>params</th><th>architecture</th></tr>
${s.search.front.map((p) => `<tr><td>${p.acc.toFixed(4)}</td><td>${p.mflops.toFixed(3)}</td><td>${p.params}</td><td><code>${escapeXml(p.arch)}</code>${p.arch === s.search.best.arch ? " <b>(chosen)</b>" : ""}</td></tr>`).join("\n")}
</table>
</body></html>
`;
  const out = join(dir, "report.html");
  writeFileSync(out, html);
  return out;
}
