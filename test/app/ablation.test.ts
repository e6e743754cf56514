import assert from "node:assert/strict";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { TABLE5_ROWS, ablationTable, floorArchs, runAblation, type AblationProtocol } from "../../app/ablation.js";
import { Mbv2Space } from "../../nas/mbv2/space.js";
import { widthCodeFigure } from "../../report/ablation_report.js";
import { tempDir } from "../helpers/temp_dir.js";

// Table 5 in miniature, scaled down to seconds: two of its rows, two seeds,
// two random networks. Costs are recomputed here from the strings, means and
// standard deviations by hand.

const shape = { channels: 1, height: 28, width: 28, classes: 10 };
const mflops = (arch: string) => {
  const s = new Mbv2Space({ inChannels: 1, height: 28, width: 28, classes: 10, searchWidth: arch.includes("|") });
  return s.cost(s.parse(arch)).nb201Mflops;
};
const protocol: AblationProtocol = {
  seed: 0, K: 2, epochs: 2, trainLimit: 96, valSize: 32, batchSize: 32, lr: 0.05, populationSize: 4, evaluations: 5, maxMflops: 6,
  retrainEpochs: 1, retrainImages: 64, retrainSeeds: 2, randomNetworks: 2, kernels: "simd", rows: [TABLE5_ROWS[0]!, TABLE5_ROWS[4]!],
};
const quiet = { log: () => {}, update: () => {} };

describe("the Table 5 ablation", () => {
  const dir = tempDir("kshot-ablation-");

  it("runs each row's main job and the floor, with each row's seeds summarised as mean and sample sd", async () => {
    const r = await runAblation(protocol, dir, 1, quiet);
    assert.equal(r.rows.length, 2);
    assert.equal(r.rows[0]!.arch.includes("|"), false, "row 1 searches operations only");
    assert.equal(r.rows[1]!.arch.split("|")[1]!.split(",").length, 24, "row 5 searches widths");
    for (const x of r.rows) {
      assert.ok(mflops(x.arch) <= 6 && Math.abs(mflops(x.arch) - x.mflops) < 1e-9, `${x.arch} within the bound`);
      const [a, b] = x.accs as [number, number];
      assert.ok(Math.abs(x.acc.mean! - (a + b) / 2) < 1e-12);
      assert.ok(Math.abs(x.acc.sd! - Math.abs(a - b) / Math.SQRT2) < 1e-12, "two seeds: sd = |a - b| / sqrt 2");
    }
    const rowJob = JSON.parse(readFileSync(join(dir, "row-2", "summary.json"), "utf8"));
    assert.equal(rowJob.supernet.config.alpha, 0, "row 5: no r_c (the default weight is 1)");
    assert.equal(rowJob.supernet.config.mode, "kshot");
    assert.equal(JSON.parse(readFileSync(join(dir, "row-1", "summary.json"), "utf8")).supernet.config.K, 1, "one-shot: K = 1");
    assert.equal(r.rows[0]!.widthCodes, undefined, "no width codes without width search");
    assert.equal(r.rows[1]!.widthCodes!.near.length, 200);
    assert.ok(Math.abs(r.rows[1]!.widthCodes!.nearMean - r.rows[1]!.widthCodes!.near.reduce((a, b) => a + b, 0) / 200) < 1e-12);
    assert.match(widthCodeFigure(r.rows)!, /without r_c, near widths \(200\)/);
    assert.deepEqual(r.floor.archs, floorArchs(protocol, shape));
    assert.equal(r.floor.accs.length, 2);
    const netMeans = r.floor.accs.map(([a, b]) => (a! + b!) / 2);
    assert.ok(Math.abs(r.floor.acc.mean! - (netMeans[0]! + netMeans[1]!) / 2) < 1e-12);
    const table = ablationTable(r);
    assert.match(table, /\| 1 \| one-shot, operations \(single path\) \| \d+\.\d{3} \| \d+\.\d{2} ± \d+\.\d{2} \|/);
    assert.match(table, /random networks under the bound \(2\)/);
  });

  it("a rerun whose rows are not in ablation.json yet resumes each row's main job: nothing trained again, the same results", async () => {
    const first = JSON.parse(readFileSync(join(dir, "ablation.json"), "utf8"));
    writeFileSync(join(dir, "ablation.json"), JSON.stringify({ protocol: first.protocol }));
    const lines: string[] = [];
    const again = await runAblation(protocol, dir, 1, { log: (l) => lines.push(l), update: () => {} });
    assert.deepEqual(again.rows.map((x) => x.accs), first.rows.map((x: { accs: number[] }) => x.accs));
    assert.ok(lines.some((l) => /reusing the finished search/.test(l)));
    assert.ok(!lines.some((l) => /epoch \d+: supernet loss/.test(l)), "no supernet epoch trained again");
  });

  it("a resume needs no finished row's supernet checkpoint: its result comes from ablation.json", async () => {
    rmSync(join(dir, "row-1", "supernet.safetensors"));
    rmSync(join(dir, "row-2", "supernet.safetensors"));
    const lines: string[] = [];
    const again = await runAblation(protocol, dir, 1, { log: (l) => lines.push(l), update: () => {} });
    const first = JSON.parse(readFileSync(join(dir, "ablation.json"), "utf8"));
    assert.deepEqual(again.rows, first.rows);
    assert.deepEqual(lines.filter((l) => /finished earlier/.test(l)).length, 2);
    assert.ok(!lines.some((l) => /training a K=/.test(l)), "no row's main job run again");
    assert.ok(!existsSync(join(dir, "row-1", "supernet.safetensors")));
  });

  it("refuses to resume under another protocol, naming what differs", async () => {
    const other = tempDir("kshot-ablation-");
    writeFileSync(join(other, "ablation.json"), JSON.stringify({ protocol }));
    await assert.rejects(runAblation({ ...protocol, maxMflops: 5 }, other, 1, quiet), /holds an ablation of another protocol \(maxMflops 6 -> 5\); resume with the same flags/);
  });

  it("draws the floor under the bound, half at full width and half with widths", () => {
    const archs = floorArchs({ seed: 3, randomNetworks: 5, maxMflops: 5 }, shape);
    assert.equal(archs.length, 5);
    assert.deepEqual(archs.map((a) => a.includes("|")), [false, false, false, true, true]);
    for (const a of archs) assert.ok(mflops(a) <= 5, a);
  });
});
