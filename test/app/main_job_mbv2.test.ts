import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { checkBoundRoom, runMainJob } from "../../app/main_job.js";
import { Mbv2Space } from "../../nas/mbv2/space.js";
import { Nb201Space } from "../../nas/nb201/space.js";
import { writeRunReport } from "../../report/run_report.js";
import { tempDir } from "../helpers/temp_dir.js";

// The main job on the MobileNetV2 space (mini macro, widths searched), scaled
// down to seconds: every network it names is checked against costs computed
// here from its string, and the retraining against the paper's recipe.

const space = new Mbv2Space({ inChannels: 1, height: 28, width: 28, classes: 10, searchWidth: true });
const mflops = (arch: string) => space.cost(space.parse(arch)).nb201Mflops;

describe("the main job on the MobileNetV2 space", () => {
  it("trains the supernet with width search, searches under the bound, retrains with RMSProp, reports", async () => {
    const out = tempDir("kshot-mbv2-job-");
    const lines: string[] = [];
    const s = await runMainJob({
      out, seed: 0, space: "mbv2", searchWidth: true, K: 2, epochs: 2, trainLimit: 96, valSize: 32, batchSize: 32, lr: 0.05,
      workers: 1, populationSize: 4, evaluations: 6, maxMflops: 4, baselines: 1, retrainEpochs: 1, retrainImages: 64, retrainSeeds: 1,
    }, { log: (l) => lines.push(l), update: () => {} });
    assert.equal(s.supernet.config.space, "mbv2");
    assert.equal(s.supernet.config.searchWidth, true);
    assert.ok(lines.some((l) => /MobileNetV2-space supernet \(mini macro, widths searched\)/.test(l)), lines.join("\n"));
    const { chosen, baseline } = s.retrain;
    for (const arch of [s.search.best.arch, ...baseline.map((b) => b.arch)]) {
      assert.equal(arch.split("|")[1]!.split(",").length, 24, `widths searched: ${arch}`);
      assert.ok(mflops(arch) <= 4, `${arch} is within the bound (${mflops(arch)} MFLOPs)`);
    }
    assert.equal(chosen.arch, s.search.best.arch);
    // the stand-alone network is the space's: the counter's parameters and MACs
    const cost = space.cost(space.parse(chosen.arch));
    assert.deepEqual([chosen.params, chosen.macs], [cost.params, cost.macs]);
    assert.equal(s.retrain.recipe.optimizer, "rmsprop");
    assert.equal(s.retrain.recipe.lr, (0.128 * 64) / 1024);
    assert.equal(s.retrain.truth, null, "the truth tables hold NAS-Bench-201 cells");
    writeRunReport(out);
    assert.match(readFileSync(join(out, "report.html"), "utf8"), /K=2 MobileNetV2-space supernet \(mini macro, widths searched with r_c\)/);
    assert.ok(existsSync(join(out, "front.csv")));
  });
});

describe("the room a bound leaves, checked before any training", () => {
  it("a large space: fails when the bound holds fewer of 10,000 random draws than the pick and the baselines need", () => {
    assert.throws(() => checkBoundRoom(space, 1, 2, 0), /^Error: 0 of 10,000 random architectures are within the bound of 1 MFLOPs \(--max-mflops\), too few .* the cheapest drawn has \d+\.\d{3}$/);
    assert.doesNotThrow(() => checkBoundRoom(space, 4, 2, 0));
  });

  it("a small space: enumerated, the cheapest cell and the count of distinct cells named", () => {
    const nb201 = new Nb201Space({ C: 8, N: 1, inChannels: 1, classes: 10, height: 28, width: 28 });
    assert.throws(() => checkBoundRoom(nb201, 0.01, 2, 0), /no cell is within the bound of 0.01 MFLOPs \(--max-mflops\): the cheapest has/);
  });
});
