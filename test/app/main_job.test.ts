import assert from "node:assert/strict";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { runMainJob, type MainJobOptions, type MainJobSummary } from "../../app/main_job.js";
import type { ProgressSink } from "../../nas/progress.js";

// Rerunning the main job after an interruption continues it: the supernet
// from its checkpoint, a finished search from search.json, finished
// retrainings from their journal, and the results are those of a run that
// was never interrupted.

const options = (out: string): MainJobOptions => ({
  out, seed: 0, K: 2, epochs: 2, trainLimit: 160, valSize: 40, batchSize: 32, lr: 0.05,
  workers: 1, populationSize: 4, evaluations: 8, maxMflops: 2.5, baselines: 1, retrainEpochs: 1, retrainImages: 64,
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
  };
}

describe("the main job resumes where it was stopped", () => {
  let whole: MainJobSummary;
  it("runs uninterrupted (the reference)", async () => {
    whole = await runMainJob(options(mkdtempSync(join(tmpdir(), "kshot-job-"))), sink());
    assert.equal(whole.supernet.epochs.length, 2);
  });

  it("after a stop in the supernet's training: from the checkpoint, the same results", async () => {
    const out = mkdtempSync(join(tmpdir(), "kshot-job-"));
    await assert.rejects(runMainJob(options(out), sink(/^epoch 1:/)), /interrupted at 'epoch 1:/);
    assert.ok(existsSync(join(out, "supernet.safetensors")));
    const again = sink();
    const s = await runMainJob(options(out), again);
    assert.ok(again.lines.some((l) => /resuming .*supernet\.safetensors after epoch 1$/.test(l)), again.lines.join("\n"));
    assert.ok(!again.lines.some((l) => /^epoch 1:/.test(l)), "epoch 1 is not trained again");
    assert.deepEqual(results(s), results(whole));
  });

  it("after a stop in the retraining: the search and the finished trainings are reused, the same results", async () => {
    const out = mkdtempSync(join(tmpdir(), "kshot-job-"));
    await assert.rejects(runMainJob(options(out), sink(/^(chosen|random 1): test accuracy/)), /interrupted/);
    const again = sink();
    const s = await runMainJob(options(out), again);
    assert.ok(again.lines.includes(`2/3 search: reusing the finished search in ${join(out, "search.json")}`), again.lines.join("\n"));
    assert.ok(again.lines.some((l) => /from an earlier run/.test(l)), "the cell finished before the stop is not trained again");
    assert.deepEqual(results(s), results(whole));
  });

  it("refuses a checkpoint of other settings in its directory, naming what differs", async () => {
    const out = mkdtempSync(join(tmpdir(), "kshot-job-"));
    await assert.rejects(runMainJob(options(out), sink(/^epoch 1:/)));
    await assert.rejects(runMainJob({ ...options(out), K: 3 }, sink()), /supernet\.safetensors holds a supernet of other settings \(K 2 -> 3\)/);
  });
});
