// The report's figures and pages against golden copies (test/helpers/golden.ts):
// what a reader sees, colours, dashes, labels and all, for fixed inputs. The
// other report tests check that each figure shows its numbers; these pin
// the rest.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import type { AblationRowResult } from "../../app/ablation.js";
import type { MainJobSummary } from "../../app/main_job.js";
import { rankMetrics, summarize, type StudyResult, type StudyRunResult } from "../../nas/study/statistics.js";
import { widthCodeFigure } from "../../report/ablation_report.js";
import { runFigures, writeRunReport } from "../../report/run_report.js";
import { studyFigures, writeStudyReport } from "../../report/study_report.js";
import { assertGolden } from "../helpers/golden.js";

const path = (arch: string, acc: number, mflops: number, lambda: number[]) => ({ arch, acc, mflops, macs: mflops * 5e5, params: 1000, lambda });
const evaluated = [
  path("|a|", 0.5, 1, [0.12, 0.88]), path("|b|", 0.6, 2, [0.22, 0.78]), path("|c|", 0.55, 3, [0.32, 0.68]),
  path("|d|", 0.7, 4, [0.37, 0.63]), path("|e|", 0.4, 6, [0.97, 0.03]),
];
const summary = {
  // (the same run as run_report.test.ts)
  options: { maxMflops: 5 },
  supernet: { config: { K: 2, C: 8, N: 1 }, epochs: [{ epoch: 1, supernetLoss: 2, simplexLoss: null, seconds: 1 }, { epoch: 2, supernetLoss: 1.5, simplexLoss: 1.8, seconds: 1 }, { epoch: 3, supernetLoss: 1.2, simplexLoss: 1.6, seconds: 1 }], checkpoint: "x" },
  search: { best: evaluated[3]!, front: [evaluated[0]!, evaluated[1]!, evaluated[3]!], evaluations: 5, generations: 1, seconds: 1, stopped: "5 evaluations done" },
  retrain: {
    recipe: { epochs: 2 }, trainImages: 100, testImages: 50,
    chosen: { arch: "|d|", testAcc: 0.86, params: 1, macs: 1, seconds: 1 },
    baseline: [{ arch: "|x|", testAcc: 0.8, params: 1, macs: 1, seconds: 1 }, { arch: "|y|", testAcc: 0.82, params: 1, macs: 1, seconds: 1 }],
    baselineMean: 0.81,
  },
  seconds: 10,
} as unknown as MainJobSummary;


const ARCHS = [
  "|none~0|+|skip_connect~0|none~1|+|none~0|none~1|skip_connect~2|",
  "|nor_conv_3x3~0|+|none~0|none~1|+|none~0|none~1|skip_connect~2|",
  "|avg_pool_3x3~0|+|none~0|none~1|+|none~0|none~1|skip_connect~2|",
  "|nor_conv_1x1~0|+|none~0|none~1|+|none~0|none~1|skip_connect~2|",
  "|nor_conv_3x3~0|+|nor_conv_3x3~0|none~1|+|none~0|none~1|skip_connect~2|",
];
const TRUTH = [0.80, 0.84, 0.78, 0.82, 0.86];
// one-shot orders 2 of the 10 pairs wrongly and ties one (cells 0 and 3): tau-a (7 - 2) / 10 = 0.5, tau-b 5 / sqrt(10 * 9) = 0.527;
// K-shot orders all ten as the truth: tau-a 1
const ONE_SHOT = [0.61, 0.66, 0.64, 0.61, 0.70];
const KSHOT = [0.50, 0.58, 0.46, 0.55, 0.63];

function study(): StudyResult {
  const result = (label: string, mode: "oneshot" | "kshot", K: number, acc: number[]): StudyRunResult => ({
    label, mode, K, seed: 0, metrics: rankMetrics(TRUTH, acc), supernetAcc: acc, lambda: acc.map(() => [1]), epochs: [], seconds: 1,
  });
  const results = [result("one-shot", "oneshot", 1, ONE_SHOT), result("kshot K=2", "kshot", 2, KSHOT)];
  const runs = [{ mode: "oneshot" as const, K: 1 }, { mode: "kshot" as const, K: 2 }];
  return {
    protocol: { runs, seeds: [0], budget: {} as StudyResult["protocol"]["budget"], truth: { path: "t.csv", cells: 5 } },
    truth: { arch: ARCHS, mean: TRUTH, ceiling: null }, highGroupSize: 1, results, summary: summarize(results, runs, 1), seconds: 1,
  };
}


describe("golden figures and pages", () => {
  it("a run's four figures", () => {
    for (const [name, svg] of runFigures(summary, evaluated)) assertGolden(`run_${name}`, svg);
  });

  it("a run's page, with the truth's standing", () => {
    const dir = mkdtempSync(join(tmpdir(), "kshot-golden-"));
    const truth = { path: "t.csv", differs: null, cellsUnderBound: 41, chosenPercentile: 71.6, baselinePercentiles: [51.2, null] };
    writeFileSync(join(dir, "summary.json"), JSON.stringify({ ...summary, retrain: { ...summary.retrain, truth } }));
    writeFileSync(join(dir, "evaluated.json"), JSON.stringify(evaluated));
    assertGolden("run_report.html", readFileSync(writeRunReport(dir), "utf8").replaceAll(dir, "RUN"));
    for (const name of ["loss.svg", "front.svg", "lambda.svg", "retrain.svg"]) assert.equal(readFileSync(join(dir, name), "utf8"), `${runFigures(summary, evaluated).get(name)}\n`);
  });

  it("refuses a summary without its search, retraining or supernet section, each alone", () => {
    for (const part of ["search", "retrain", "supernet"] as const) {
      const dir = mkdtempSync(join(tmpdir(), "kshot-golden-"));
      writeFileSync(join(dir, "summary.json"), JSON.stringify({ ...summary, [part]: {} }));
      writeFileSync(join(dir, "evaluated.json"), JSON.stringify(evaluated));
      assert.throws(() => writeRunReport(dir), { message: `report: ${join(dir, "summary.json")} is not the summary of a 'kshot run' (it has no search, retraining or supernet section)` }, part);
      writeFileSync(join(dir, "summary.json"), JSON.stringify({ ...summary, [part]: undefined }));
      assert.throws(() => writeRunReport(dir), /is not the summary of a 'kshot run'/, part);
    }
  });

  it("the study's figures", () => {
    for (const [name, svg] of studyFigures(study())) assertGolden(`study_${name}`, svg);
  });

  it("the study's page, with its budget, data and noise ceiling", () => {
    const dir = mkdtempSync(join(tmpdir(), "kshot-golden-"));
    const base = study();
    const budget = { C: 8, N: 1, epochs: 7, warmupEpochs: 1, batchSize: 64, trainLimit: 60000, valSize: 3000, lr: 0.05, simplexLr: 0.05, m: 4, simplexBatch: 64, hidden: 100 };
    writeFileSync(join(dir, "study.json"), JSON.stringify({
      ...base, protocol: { ...base.protocol, budget, dataDir: "/data/fmnist" }, truth: { ...base.truth, ceiling: { kendallTauB: 0.6, spearman: 0.75, pairs: 1 } },
    }));
    assertGolden("study_report.html", readFileSync(writeStudyReport(dir), "utf8").replaceAll(dir, "STUDY"));
  });

  it("the ablation's width-code figure, two measured rows", () => {
    const row = (name: string, rcAlpha: number, near: number[], far: number[]): AblationRowResult => ({
      row: { name, mode: "kshot", searchWidth: true, rcAlpha }, arch: "a", mflops: 1, params: 1, supernetAcc: 0.5, accs: [0.5],
      acc: { mean: 0.5, sd: 0, n: 1 }, widthCodes: { near, far, nearMean: 0, farMean: 0 },
    });
    assertGolden("ablation_width_codes.svg", widthCodeFigure([
      row("no r_c", 0, [0.3, 0.31, 0.5, 0.52, 0.9], [0.28, 0.35, 0.5, 0.6, 0.61]),
      row("r_c", 1, [0.8, 0.85, 0.9, 0.92, 0.97], [0.1, 0.2, 0.25, 0.4, 0.45]),
    ])!);
  });
});
