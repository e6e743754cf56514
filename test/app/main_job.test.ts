import assert from "node:assert/strict";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { runMainJob, truthStanding, type MainJobOptions, type MainJobSummary } from "../../app/main_job.js";
import { mainFlags } from "../../cli/main_job.js";
import { COMMITTED_TRUTH_NAME, packageFile } from "../../data/package_files.js";
import { Nb201Space } from "../../nas/nb201/space.js";
import { STANDALONE_RECIPE } from "../../nas/standalone.js";
import { readTruthProtocol } from "../../nas/study/truth.js";
import { ordinal, truthStandingLine } from "../../report/run_report.js";
import type { ProgressSink } from "../../nas/progress.js";
import { tempDir } from "../helpers/temp_dir.js";

// Rerunning the main job after an interruption continues it: the supernet
// from its checkpoint, a finished search from search.json, finished
// retrainings from their journal, and the results are those of a run that
// was never interrupted.

const options = (out: string): MainJobOptions => ({
  out, seed: 0, K: 2, epochs: 2, trainLimit: 160, valSize: 40, batchSize: 32, lr: 0.05,
  workers: 1, populationSize: 4, evaluations: 8, maxMflops: 2.5, baselines: 1, retrainEpochs: 1, retrainImages: 64, retrainSeeds: 2,
});

/** A sink that records lines and throws, as Ctrl-C would stop the job, at the first line matching `stopAt`. */
function sink(stopAt?: RegExp): ProgressSink & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    log: (line) => { lines.push(line); if (stopAt?.test(line)) throw new Error(`interrupted at '${line}'`); },
    update: () => {},
  };
}

/** What a run's results are, without the wall-clock times. */
function results(s: MainJobSummary) {
  const { seconds: _s, ...search } = s.search;
  const acc = (r: { arch: string; testAcc: number; params: number; macs: number }) => [r.arch, r.testAcc, r.params, r.macs];
  return {
    search, losses: s.supernet.epochs.map((e) => [e.epoch, e.supernetLoss, e.simplexLoss]),
    chosen: acc(s.retrain.chosen), baseline: s.retrain.baseline.map(acc), baselineMean: s.retrain.baselineMean,
    accs: [s.retrain.chosen.accs, ...s.retrain.baseline.map((b) => b.accs)],
  };
}

describe("the main job resumes where it was stopped", () => {
  let whole: MainJobSummary;
  it("runs uninterrupted (the reference)", async () => {
    whole = await runMainJob(options(tempDir("kshot-job-")), sink());
    assert.equal(whole.supernet.epochs.length, 2);
    for (const c of [whole.retrain.chosen, ...whole.retrain.baseline]) {
      assert.deepEqual(c.seeds, [0, 1], "--retrain-seeds 2 from --seed 0");
      assert.equal(c.accs.length, 2);
      assert.equal(c.testAcc, (c.accs[0]! + c.accs[1]!) / 2, "a cell's accuracy is the mean of its trainings");
    }
    assert.notEqual(whole.retrain.chosen.accs[0], whole.retrain.chosen.accs[1], "two seeds, two trainings");
    assert.equal(whole.retrain.truth, null, "no truth given, no standing");
    const b = whole.retrain.baseline;
    assert.equal(whole.retrain.baselineMean, b.reduce((sum, c) => sum + c.testAcc, 0) / b.length, "the random cells' mean");
    // the bound, checked on costs computed here from the cells' strings
    const space = new Nb201Space({ C: 8, N: 1, inChannels: 1, classes: 10, height: 28, width: 28 });
    const mflops = (arch: string) => space.cost(space.parse(arch)).nb201Mflops;
    assert.ok(mflops(whole.search.best.arch) <= 2.5, `the pick ${whole.search.best.arch} is within the bound`);
    for (const c of b) assert.ok(mflops(c.arch) <= 2.5, `the random cell ${c.arch} is within the bound`);
    for (const p of whole.search.front) assert.ok(mflops(p.arch) <= 2.5 && Math.abs(p.mflops - mflops(p.arch)) < 1e-9, `front row ${p.arch}`);
    assert.notEqual(b[0]!.arch, whole.search.best.arch, "a random cell is not the pick");
  });

  it("after a stop in the supernet's training: from the checkpoint, the same results", async () => {
    const out = tempDir("kshot-job-");
    await assert.rejects(runMainJob(options(out), sink(/^epoch 1:/)), /interrupted at 'epoch 1:/);
    assert.ok(existsSync(join(out, "supernet.safetensors")));
    const again = sink();
    const s = await runMainJob(options(out), again);
    assert.ok(again.lines.some((l) => /resuming .*supernet\.safetensors after epoch 1$/.test(l)), again.lines.join("\n"));
    assert.ok(!again.lines.some((l) => /^epoch 1:/.test(l)), "epoch 1 is not trained again");
    assert.deepEqual(results(s), results(whole));
  });

  it("after a stop in the retraining: the search and the finished trainings are reused, the same results", async () => {
    const out = tempDir("kshot-job-");
    await assert.rejects(runMainJob(options(out), sink(/^(chosen|random 1), seed 1: test accuracy/)), /interrupted/);
    const again = sink();
    const s = await runMainJob(options(out), again);
    assert.ok(again.lines.includes(`2/3 search: reusing the finished search in ${join(out, "search.json")}`), again.lines.join("\n"));
    assert.ok(again.lines.some((l) => /from an earlier run/.test(l)), "the cell finished before the stop is not trained again");
    assert.deepEqual(results(s), results(whole));
  });

  it("refuses a checkpoint of other settings in its directory, naming what differs", async () => {
    const out = tempDir("kshot-job-");
    await assert.rejects(runMainJob(options(out), sink(/^epoch 1:/)));
    await assert.rejects(runMainJob({ ...options(out), K: 3 }, sink()), /supernet\.safetensors holds a supernet of other settings \(K 2 -> 3\)/);
  });
});

describe("where the pick stands among the truth's cells under the bound", () => {
  const space = new Nb201Space({ C: 8, N: 1, inChannels: 1, classes: 10, height: 28, width: 28 });
  const mflops = (arch: string) => space.cost(space.parse(arch)).nb201Mflops;
  // cells of known cost: every edge skip (no convolution), one 1x1 convolution, all six 3x3 convolutions
  const cheap = "|skip_connect~0|+|skip_connect~0|skip_connect~1|+|skip_connect~0|skip_connect~1|skip_connect~2|";
  const pooled = "|avg_pool_3x3~0|+|skip_connect~0|skip_connect~1|+|skip_connect~0|skip_connect~1|skip_connect~2|";
  const oneConv = "|nor_conv_1x1~0|+|skip_connect~0|skip_connect~1|+|skip_connect~0|skip_connect~1|skip_connect~2|";
  const heavy = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|";
  const recipe = { epochs: 5, batchSize: 64, lr: 0.05, momentum: 0.9, nesterov: false, weightDecay: 5e-4 };
  const retrain = { C: 8, N: 1, dataset: "fashion-mnist", trainLimit: 4000, testLimit: 2000, recipe, seeds: 2 };
  const cell = (arch: string, testAcc: number) => ({ arch, testAcc, params: 0, macs: 0, seconds: 0, seeds: [0, 1], accs: [testAcc, testAcc] });

  function truthFile(rows: [string, number][], protocol: object): string {
    const dir = tempDir("kshot-truth-");
    const csv = join(dir, "t.csv");
    writeFileSync(csv, `arch,acc_seed0,acc_seed1,mean,macs,params,seconds\n${rows.map(([a, m]) => `${a},${m},${m},${m},1,1,1`).join("\n")}\n`);
    writeFileSync(join(dir, "t.json"), JSON.stringify({ protocol }));
    return csv;
  }
  const protocol = { cells: 4, seeds: 2, sampleSeed: 0, C: 8, N: 1, dataset: "fashion-mnist", trainLimit: 4000, recipe };

  it("counts the cells under the bound below the pick, ties half, the heavy cell left out", () => {
    const bound = mflops(oneConv);
    assert.ok(mflops(cheap) <= bound && mflops(pooled) <= bound && mflops(heavy) > bound, "the fixture's costs");
    const csv = truthFile([[cheap, 0.70], [pooled, 0.80], [oneConv, 0.75], [heavy, 0.99]], protocol);
    // the pick at 0.75: one truth cell below (0.70), one tied (0.75), one above (0.80): (1 + 0.5) / 3
    const t = truthStanding(csv, retrain, space, bound, cell(oneConv, 0.75), [cell(cheap, 0.69), cell(pooled, 0.85)]);
    assert.equal(t.differs, null);
    assert.equal(t.cellsUnderBound, 3);
    assert.equal(t.chosenPercentile, 50);
    assert.deepEqual(t.baselinePercentiles, [0, 100]);
  });

  it("gives no percentile where the retraining's protocol is not the truth's, and says what differs", () => {
    const csv = truthFile([[cheap, 0.70], [pooled, 0.80]], protocol);
    const t = truthStanding(csv, { ...retrain, trainLimit: 2000, seeds: 1 }, space, 5, cell(cheap, 0.9), []);
    assert.equal(t.chosenPercentile, null);
    assert.deepEqual(t.differs, ["seeds 2 -> 1", "trainLimit 4000 -> 2000"]);
    assert.match(truthStandingLine(t)!, /no percentile among the truth's cells \(.*t\.csv\): the retraining's protocol is not the truth's \(seeds 2 -> 1; trainLimit 4000 -> 2000\)/);
  });

  it("says it in one line", () => {
    const line = truthStandingLine({ path: "t.csv", differs: null, cellsUnderBound: 12, chosenPercentile: 87.5, baselinePercentiles: [25, 62.5] });
    assert.equal(line, "among the truth's 12 cells under the bound, the chosen cell stands at the 88th percentile (random cells: 25 / 63; a random pick stands at the 50th on average)");
    assert.deepEqual([1, 2, 3, 4, 11, 12, 13, 21, 22, 72, 100, 111, 112].map(ordinal), ["1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "72nd", "100th", "111th", "112th"]);
  });

  it("the main job's default retraining is the committed truth's protocol, so npm start gets a percentile", () => {
    const p = readTruthProtocol(packageFile(COMMITTED_TRUTH_NAME));
    const flags = mainFlags;
    assert.deepEqual([Number(flags["retrain-epochs"]!.default), Number(flags["retrain-images"]!.default), Number(flags["retrain-seeds"]!.default)], [p.recipe.epochs, p.trainLimit, p.seeds]);
    assert.deepEqual({ ...STANDALONE_RECIPE, epochs: p.recipe.epochs }, p.recipe, "the kshot train recipe is the truth's");
    assert.deepEqual([p.C, p.N, p.dataDir, p.testLimit], [8, 1, undefined, undefined], "the main job's network and the embedded data, all its test images");
  });
});
