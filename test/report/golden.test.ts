// The report's figures and pages against golden copies (test/helpers/golden.ts):
// what a reader sees, colours, dashes, labels and all, for fixed inputs. The
// other report tests check that each figure shows its numbers; these pin
// the rest.
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import type { AblationRowResult } from "../../app/ablation.js";
import { widthCodeFigure } from "../../report/ablation_report.js";
import { runFigures, writeRunReport } from "../../report/run_report.js";
import { studyFigures, writeStudyReport } from "../../report/study_report.js";
import { assertGolden } from "../helpers/golden.js";
import { BUDGET, evaluated, summary, study, studyWithCurves } from "../helpers/report_fixtures.js";
import type { StudyResult } from "../../nas/study/statistics.js";
import { tempDir } from "../helpers/temp_dir.js";

/** The page `writeStudyReport` writes for a study, its directory replaced by STUDY. */
function studyPage(s: StudyResult): string {
  const dir = tempDir("kshot-golden-");
  writeFileSync(join(dir, "study.json"), JSON.stringify(s));
  return readFileSync(writeStudyReport(dir), "utf8").replaceAll(dir, "STUDY");
}

describe("golden figures and pages", () => {
  it("a run's four figures", () => {
    for (const [name, svg] of runFigures(summary, evaluated)) assertGolden(`run_${name}`, svg);
  });

  it("a run's page, with the truth's standing", () => {
    const dir = tempDir("kshot-golden-");
    const truth = { path: "t.csv", differs: null, cellsUnderBound: 41, chosenPercentile: 71.6, baselinePercentiles: [51.2, null] };
    writeFileSync(join(dir, "summary.json"), JSON.stringify({ ...summary, retrain: { ...summary.retrain, truth } }));
    writeFileSync(join(dir, "evaluated.json"), JSON.stringify(evaluated));
    assertGolden("run_report.html", readFileSync(writeRunReport(dir), "utf8").replaceAll(dir, "RUN"));
    for (const name of ["loss.svg", "front.svg", "lambda.svg", "retrain.svg"]) assert.equal(readFileSync(join(dir, name), "utf8"), `${runFigures(summary, evaluated).get(name)}\n`);
  });

  it("refuses a summary without its search, retraining or supernet section, each alone", () => {
    for (const part of ["search", "retrain", "supernet"] as const) {
      const dir = tempDir("kshot-golden-");
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
    const base = study();
    assertGolden("study_report.html", studyPage({
      ...base, protocol: { ...base.protocol, budget: BUDGET, dataDir: "/data/fmnist" }, truth: { ...base.truth, ceiling: { kendallTauB: 0.6, spearman: 0.75, pairs: 1 } },
    }));
  });

  it("a fuller study's figures: two seeds, curves, predictors, K = 1, 2 and 4, one-shot listed second", () => {
    const figs = studyFigures(studyWithCurves());
    assert.deepEqual([...figs.keys()], ["tau_by_mode.svg", "tau_vs_steps.svg", "follows.svg", "tau_vs_k.svg", "scatter.svg", "high_group.svg", "lambda_K2.svg", "lambda_K4.svg"]);
    for (const [name, svg] of figs) assertGolden(`study2_${name}`, svg);
  });

  it("a fuller study's page", () => {
    assertGolden("study2_report.html", studyPage(studyWithCurves()));
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
