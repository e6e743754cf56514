import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { memory } from "../../engine/index.js";
import { meanSd, pairedTest, type RankStudyProtocol, type StudyResult } from "../../nas/study/statistics.js";
import { runRankStudy } from "../../app/rank_study.js";
import { runTruth } from "../../app/truth.js";
import { readTruth, sampleTruthCells, truthColumns, type TruthProtocol, type TruthRow } from "../../nas/study/truth.js";
import { STANDALONE_RECIPE, trainStandalone } from "../../nas/standalone.js";
import { head } from "../../data/dataset.js";
import { DATA_RECIPES, EMBEDDED_FASHION_MNIST, loadDataset } from "../../train/datasets.js";
import type { ProgressSink } from "../../nas/progress.js";
import { elements, parseXml } from "../helpers/svg.js";
import { studyFigures, studyVerdicts, writeStudyReport } from "../../report/study_report.js";
import { KSHOT } from "../helpers/cli.js";
import { tempDir } from "../helpers/temp_dir.js";

const quiet: ProgressSink = { log: () => {}, update: () => {} };
const FMNIST = { channels: 1, height: 28, width: 28, classes: 10 };

/** O(n^2) Kendall tau-a, straight from Eq. 18. */
function tauARef(x: readonly number[], y: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) for (let j = i + 1; j < x.length; j++) s += Math.sign(x[i]! - x[j]!) * Math.sign(y[i]! - y[j]!);
  return s / ((x.length * (x.length - 1)) / 2);
}

describe("study truth", () => {
  const protocol: TruthProtocol = {
    cells: 3, seeds: 2, sampleSeed: 4, C: 2, N: 1, dataset: "fashion-mnist", trainLimit: 48, testLimit: 40,
    recipe: { ...STANDALONE_RECIPE, epochs: 1, batchSize: 16 },
  };

  it("resumes after an interruption without retraining finished trainings, and writes the table", async () => {
    const csv = join(tempDir("kshot-truth-"), "truth.csv");
    let finished = 0;
    const interrupting: ProgressSink = { log: () => {}, update: () => { if (++finished === 2) throw new Error("interrupted"); } };
    await assert.rejects(runTruth(protocol, csv, { workers: 2, sink: interrupting }), /interrupted/);
    const journal = readFileSync(`${csv}.partial.jsonl`, "utf8").trim().split("\n").map((l) => JSON.parse(l) as { arch: string; seed: number; acc: number });
    assert.ok(journal.length >= 2, `${journal.length} trainings journalled`);

    const lines: string[] = [];
    const r = await runTruth(protocol, csv, { workers: 2, sink: { log: (l) => lines.push(l), update: () => {} } });
    assert.equal(r.trained, 6 - journal.length, "only the trainings missing from the journal ran");
    assert.match(lines[0]!, new RegExp(`${journal.length} trainings already in`));
    const rows = readTruth(csv);
    assert.deepEqual(rows.map((x) => x.arch), sampleTruthCells(protocol, FMNIST));
    for (const e of journal) assert.equal(rows.find((x) => x.arch === e.arch)!.accs[e.seed], Number(e.acc.toFixed(4)), "journalled results kept");
    for (const row of rows) assert.ok(Math.abs(row.mean - (row.accs[0]! + row.accs[1]!) / 2) < 1e-4);
    assert.deepEqual(readFileSync(csv, "utf8").split("\n")[0]!.split(","), truthColumns(2));
    assert.equal(existsSync(`${csv}.partial.jsonl`), false, "the journal goes once the table is whole");
    // each seed column is the training of that seed: the same cell trained here directly, seed by seed, gives those numbers
    const data = loadDataset("fashion-mnist", EMBEDDED_FASHION_MNIST);
    const direct = { train: head(data.train, 48), test: head(data.test, 40), recipe: DATA_RECIPES["fashion-mnist"] };
    // a cell whose two seeds end apart (tiny trainings often predict one class whatever the seed)
    const telling = rows.find((x) => x.accs[0] !== x.accs[1]);
    assert.ok(telling !== undefined, "some cell's seeds differ");
    for (const seed of [0, 1]) {
      const alone = await trainStandalone(telling.arch, { C: 2, N: 1 }, direct, protocol.recipe, seed, quiet, "direct");
      assert.equal(telling.accs[seed], Number(alone.testAcc.toFixed(4)), `acc_seed${seed} is seed ${seed}'s training`);
    }

    const again = await runTruth(protocol, csv, { workers: 1, sink: quiet });
    assert.equal(again.trained, 0, "a finished table trains nothing");
    await assert.rejects(runTruth({ ...protocol, recipe: { ...protocol.recipe, epochs: 2 } }, csv, { workers: 1, sink: quiet }), /another protocol/);
  });

});

describe("study rank", () => {
  // 6 cells with made-up, distinct truths: the study's wiring is under test here, not the truth
  const archs = sampleTruthCells({ cells: 6, sampleSeed: 1, C: 2, N: 1 }, FMNIST);
  const truth: TruthRow[] = archs.map((arch, i) => ({ arch, accs: [0.7 + 0.03 * i, 0.7 + 0.03 * i], mean: 0.7 + 0.03 * i, macs: 1, params: 1, seconds: 1 }));
  const protocol: RankStudyProtocol = {
    runs: [{ mode: "oneshot", K: 1 }, { mode: "kshot", K: 2 }], seeds: [0],
    budget: { C: 2, N: 1, epochs: 2, warmupEpochs: 1, batchSize: 16, trainLimit: 80, valSize: 32, lr: 0.05, simplexLr: 0.05, m: 2, simplexBatch: 16, hidden: 8 },
    truth: { path: "made-up", cells: 6 },
  };
  const strip = (s: StudyResult) => JSON.stringify(s.results.map(({ seconds: _s, epochs, ...r }) => ({ ...r, epochs: epochs.map(({ seconds: _e, ...e }) => e) })));

  it("runs end to end: metrics against the truth, identical for the same seeds, nothing left allocated", async () => {
    const before = memory().tensors;
    const a = await runRankStudy(protocol, truth, tempDir("kshot-study-"), quiet);
    assert.equal(memory().tensors, before, "every supernet, simplex-net and optimiser state is freed");
    assert.deepEqual(a.results.map((r) => r.label), ["one-shot", "kshot K=2"]);
    for (const r of a.results) {
      assert.equal(r.supernetAcc.length, 6);
      assert.ok(Math.abs(r.metrics.tauA! - tauARef(a.truth.mean, r.supernetAcc)) < 1e-12);
      assert.equal(r.lambda[0]!.length, r.K);
    }
    const [one, k2] = a.results;
    assert.ok(Math.abs(a.summary[1]!.tauAMinusOneShot!.mean! - (k2!.metrics.tauA! - one!.metrics.tauA!)) < 1e-12);
    assert.deepEqual(a.summary[1]!.tauBWorkingMinusOneShot!.perSeed, [k2!.metrics.tauBWorking! - one!.metrics.tauBWorking!], "tau-b on working cells, paired the same way");
    assert.equal(a.summary[0]!.tauBWorkingMinusOneShot, null, "one-shot has no difference to itself");
    const verdict = studyVerdicts(a)[0]!;
    assert.match(verdict, /^kshot K=2 vs one-shot: .* over 1 seed\(s\) .*: not distinguishable from one-shot$/, "one seed never calls a difference");
    const twoSeeds = (diffs: number[]) => studyVerdicts({ ...a, summary: [{ ...a.summary[1]!, tauAMinusOneShot: { ...meanSd(diffs), perSeed: diffs, test: pairedTest(diffs) } }] })[0]!;
    // paired t: |mean| / (sd / sqrt(n)) with n - 1 degrees of freedom
    assert.match(twoSeeds([0.10, 0.12, 0.11]), /: above one-shot$/); // t = 0.11 / 0.00577 = 19.1, p = 0.0027
    assert.match(twoSeeds([0.15, -0.05, 0.10]), /: not distinguishable/); // t = 1.1
    assert.match(twoSeeds([-0.10, -0.11, -0.12]), /: below one-shot$/);
    assert.match(twoSeeds([-0.063, -0.082]), /t = -7\.63, p = 0\.083; sign test 0 up, 2 down, p = 0\.50: not distinguishable/);
    const b = await runRankStudy(protocol, truth, tempDir("kshot-study-"), quiet);
    assert.equal(strip(b), strip(a));
  });

  it("scores along training (--score-every) without changing the training, and resumes its curve", async () => {
    const every = { ...protocol, scoreEvery: 2 }; // 48 training images in batches of 16: 3 supernet steps an epoch, 6 in all
    const plain = await runRankStudy(protocol, truth, tempDir("kshot-study-"), quiet);
    const curved = await runRankStudy(every, truth, tempDir("kshot-study-"), quiet);
    for (const r of curved.results) assert.deepEqual(r.curve!.map((c) => c.step), [2, 4, 6], r.label);
    const noCurve = (s: StudyResult) => JSON.parse(strip(s)).map(({ curve: _c, ...r }: { curve?: unknown }) => r);
    assert.deepEqual(noCurve(curved), noCurve(plain), "the same training and final scores as without scoring along the way");
    // one-shot has no simplex step after its last supernet step: its last point is its final ranking
    const one = curved.results.find((r) => r.mode === "oneshot")!;
    assert.deepEqual(one.curve!.at(-1)!.metrics, one.metrics);
    assert.ok(Math.abs(one.curve!.at(-1)!.meanAcc - one.supernetAcc.reduce((a, b) => a + b, 0) / one.supernetAcc.length) < 1e-15);

    const dir = tempDir("kshot-study-");
    let kshotSteps = 0;
    const stopping: ProgressSink = { log: () => {}, update: (l) => { if (l.includes("kshot K=2") && l.includes("epoch 2/2") && ++kshotSteps === 3) throw new Error("interrupted"); } };
    await assert.rejects(runRankStudy(every, truth, dir, stopping), /interrupted/);
    const resumed = await runRankStudy(every, truth, dir, quiet);
    assert.deepEqual(resumed.results.map((r) => r.curve), curved.results.map((r) => r.curve), "no point lost or scored twice");
    const svg = parseXml(studyFigures(resumed).get("tau_vs_steps.svg")!);
    const lines = elements(svg, "polyline", "line");
    assert.ok(lines.length >= 2, "a line per run, and the predictors flat beside them");
  });

  it("runs side by side on lanes (one kernel thread each) with the same bits, in the protocol's order, lanes' progress relayed", async () => {
    const twoSeeds = { ...protocol, seeds: [0, 1], scoreEvery: 3 };
    const alone = await runRankStudy(twoSeeds, truth, tempDir("kshot-study-"), quiet);
    const lines: string[] = [];
    const dir = tempDir("kshot-study-");
    const laned = await runRankStudy(twoSeeds, truth, dir, { log: (l) => lines.push(l), update: () => {} }, { lanes: 2 });
    assert.deepEqual(laned.results.map((r) => `${r.label}#${r.seed}`), ["one-shot#0", "kshot K=2#0", "one-shot#1", "kshot K=2#1"]);
    assert.equal(strip(laned), strip(alone));
    assert.deepEqual(laned.results.map((r) => r.curve), alone.results.map((r) => r.curve));
    assert.equal(strip(JSON.parse(readFileSync(join(dir, "study.json"), "utf8")) as StudyResult), strip(alone), "study.json holds every lane's run");
    for (const tag of ["[1/4] one-shot, seed 0: step 3", "[4/4] kshot K=2, seed 1: step 6", "[3/4] one-shot, seed 1: tau-a"]) {
      assert.ok(lines.some((l) => l.startsWith(tag)), `a lane's line '${tag}' reaches the sink:\n${lines.join("\n")}`);
    }
  });

  it("resumes: finished runs are kept, the interrupted one continues from its checkpoint, the report renders", async () => {
    const dir = tempDir("kshot-study-");
    let kshotSteps = 0;
    const interrupting: ProgressSink = { log: () => {}, update: (l) => { if (l.includes("kshot K=2") && l.includes("epoch 2/2") && ++kshotSteps === 3) throw new Error("interrupted"); } };
    await assert.rejects(runRankStudy(protocol, truth, dir, interrupting), /interrupted/);
    const partial = JSON.parse(readFileSync(join(dir, "study.json"), "utf8")) as StudyResult;
    assert.deepEqual(partial.results.map((r) => r.label), ["one-shot"]);
    const lines: string[] = [];
    const done = await runRankStudy(protocol, truth, dir, { log: (l) => lines.push(l), update: () => {} });
    assert.ok(lines.some((l) => /kshot K=2, seed 0: resuming .* after epoch 1/.test(l)), lines.join("\n"));
    assert.equal(JSON.stringify(done.results[0]), JSON.stringify(partial.results[0]), "the finished run is not redone");
    const fresh = await runRankStudy(protocol, truth, tempDir("kshot-study-"), quiet);
    assert.equal(strip(done), strip(fresh), "a resumed study ends where an uninterrupted one does");

    writeStudyReport(dir);
    const html = readFileSync(join(dir, "report.html"), "utf8");
    for (const f of ["tau_by_mode.svg", "tau_vs_k.svg", "scatter.svg", "high_group.svg", "lambda_K2.svg"]) {
      const svg = parseXml(readFileSync(join(dir, f), "utf8"));
      assert.ok(svg.getElementsByTagName("title").length > 0, f);
    }
    const bars = elements(parseXml(readFileSync(join(dir, "tau_by_mode.svg"), "utf8")), "rect", "bars");
    assert.equal(bars.length, 2, "one bar per run");
    const dots = elements(parseXml(readFileSync(join(dir, "scatter.svg"), "utf8")), "circle", "points");
    assert.equal(dots.length, 12, "6 cells x 2 runs");
    const chance = { ...done, truth: { ...done.truth, mean: [0.1, ...done.truth.mean.slice(1)] } };
    const squashed = parseXml(studyFigures(chance).get("scatter.svg")!);
    assert.equal(elements(squashed, "circle", "points").length, 10, "a cell far below the best is left off the scatter");
    assert.match(squashed.getElementsByTagName("title")[0]!.textContent!, /1 cell\(s\) > 0.2 below the best not shown/);
    assert.match(html, /kshot K=2/);
    await assert.rejects(runRankStudy({ ...protocol, seeds: [0, 1] }, truth, dir, quiet), /another protocol/);
  });
});

describe("kshot study (CLI)", () => {
  const kshot = (...args: string[]) => spawnSync(process.execPath, [...KSHOT, ...args], { encoding: "utf8" });
  it("refuses bad flags with a usage error", () => {
    for (const [args, msg] of [
      [["study", "rank", "--modes", "oneshot,bogus"], /unknown mode 'bogus'/],
      [["study", "rank", "--val-size", "5000", "--train-limit", "4000"], /leaves no training images/],
      [["study", "truth", "--cells", "2"], /--cells expects/],
      [["study", "nope"], /unknown subcommand 'nope'/],
    ] as const) {
      const r = kshot(...args);
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, msg);
    }
  });
});
