// The truth table's pure parts: the sample of cells, the CSV, the noise
// ceiling and where a value stands among the cells (no training here; the
// truth's trainings are tested in study.test.ts).
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { STANDALONE_RECIPE } from "../../nas/standalone.js";
import { percentileAmong, readTruth, readTruthProtocol, sampleTruthCells, truthCeiling, truthColumns, truthMetaPath, writeTruthCsv, type TruthProtocol, type TruthRow } from "../../nas/study/truth.js";
import { tempDir } from "../helpers/temp_dir.js";

const FMNIST = { channels: 1, height: 28, width: 28, classes: 10 };

describe("study truth", () => {
  const protocol: TruthProtocol = {
    cells: 3, seeds: 2, sampleSeed: 4, C: 2, N: 1, dataset: "fashion-mnist", trainLimit: 48, testLimit: 40,
    recipe: { ...STANDALONE_RECIPE, epochs: 1, batchSize: 16 },
  };

  it("samples one cell per isomorphism class, a larger count extending a smaller one's list", () => {
    const a = sampleTruthCells({ ...protocol, cells: 20 }, FMNIST), b = sampleTruthCells({ ...protocol, cells: 30 }, FMNIST);
    assert.deepEqual(b.slice(0, 20), a);
    assert.equal(new Set(b).size, 30);
  });

  it("measures its noise ceiling seed against seed, never a seed against itself (a hand case)", () => {
    // seed 0 orders the four cells 1 < 2 < 3 < 4, seed 1 as 2 < 1 < 4 < 3: 4 concordant pairs, 2 discordant: tau (4 - 2) / 6;
    // ranks differ by 1 everywhere: Spearman 1 - 6 * 4 / (4 * 15) = 0.6
    const row = (arch: string, accs: number[]): TruthRow => ({ arch, accs, mean: (accs[0]! + accs[1]!) / 2, macs: 1, params: 1, seconds: 1 });
    const c = truthCeiling([row("a", [0.1, 0.2]), row("b", [0.2, 0.1]), row("c", [0.3, 0.4]), row("d", [0.4, 0.3])])!;
    assert.ok(Math.abs(c.kendallTauB - 1 / 3) < 1e-12 && Math.abs(c.spearman - 0.6) < 1e-12, JSON.stringify(c));
    assert.equal(c.pairs, 1);
    assert.equal(truthCeiling([row("a", [0.1, 0.2]), row("b", [0.2, 0.1])]), null, "fewer than 3 cells: no ceiling");
    assert.equal(truthCeiling([]), null, "no cells: no ceiling");
  });

  it("reads a table strictly: a duplicated cell or an accuracy outside [0, 1] names the line", () => {
    const dir = tempDir("kshot-truth-");
    const head = truthColumns(2).join(",");
    writeFileSync(join(dir, "dup.csv"), `${head}\na,0.5,0.5,0.5,1,1,1\na,0.5,0.5,0.5,1,1,1\n`);
    assert.throws(() => readTruth(join(dir, "dup.csv")), /line 3: a appears twice/);
    writeFileSync(join(dir, "range.csv"), `${head}\na,0.5,1.5,0.5,1,1,1\n`);
    assert.throws(() => readTruth(join(dir, "range.csv")), /line 2: acc_seed1 is '1.5', expected a number in \[0, 1\]/);
  });

  it("reads every field strictly: the bounds included, spaces trimmed, each bad column named, only acc_seedN columns as seeds", () => {
    const dir = tempDir("kshot-truth-");
    const file = (name: string, text: string) => { writeFileSync(join(dir, name), text); return join(dir, name); };
    // 11 seeds (acc_seed10 has two digits), a look-alike column that is not a seed, fields with spaces, accuracies at 0 and 1
    const seeds = truthColumns(11).slice(1, 12);
    const head = ["arch", "my_acc_seed0", ...seeds, "acc_seed3x", "mean", "macs", "params", "seconds"].join(",");
    const row = [" a ", "9", ...seeds.map((_, s) => (s === 0 ? " 0 " : s === 10 ? "1" : "0.5")), "7", "0.5", "0", "12", "3.5"].join(",");
    const [r] = readTruth(file("wide.csv", `${head}\n${row}\n`));
    assert.deepEqual(r, { arch: "a", accs: [0, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 1], mean: 0.5, macs: 0, params: 12, seconds: 3.5 });
    const two = truthColumns(2).join(",");
    // fields after the arch: acc_seed0, acc_seed1, mean, macs, params, seconds
    const bad: [string, RegExp][] = [
      ["x,0.5,0.5,1,1,1", /line 2: acc_seed0 is 'x', expected a number in \[0, 1\]/],
      ["0x1,0.5,0.5,1,1,1", /line 2: acc_seed0 is '0x1'/],
      ["-0.1,0.5,0.5,1,1,1", /line 2: acc_seed0 is '-0.1'/],
      ["0.5,0.5,1.01,1,1,1", /line 2: mean is '1.01', expected a number in \[0, 1\]/],
      ["0.5,0.5,0.5,-1,1,1", /line 2: macs is '-1', expected a number in \[0, Infinity\]/],
      ["0.5,0.5,0.5,1,Infinity,1", /line 2: params is 'Infinity'/],
      ["0.5,0.5,0.5,1,1,", /line 2: seconds is ''/],
    ];
    for (const [fields, message] of bad) assert.throws(() => readTruth(file("bad.csv", `${two}\na,${fields}\n`)), message);
  });

  it("writes a table that reads back, accuracies to 4 places, and names its protocol file", () => {
    const dir = tempDir("kshot-truth-");
    const rows: TruthRow[] = [
      { arch: "a", accs: [0.81234, 0.8], mean: 0.80617, macs: 10, params: 3, seconds: 1.25 },
      { arch: "b", accs: [0.1, 0.1], mean: 0.1, macs: 20, params: 4, seconds: 2 },
    ];
    writeTruthCsv(join(dir, "t.csv"), rows, 2);
    assert.deepEqual(readTruth(join(dir, "t.csv")), [
      { arch: "a", accs: [0.8123, 0.8], mean: 0.8062, macs: 10, params: 3, seconds: 1.3 },
      { arch: "b", accs: [0.1, 0.1], mean: 0.1, macs: 20, params: 4, seconds: 2 },
    ]);
    assert.deepEqual(truthColumns(3), ["arch", "acc_seed0", "acc_seed1", "acc_seed2", "mean", "macs", "params", "seconds"]);
    assert.equal(truthMetaPath("/x/truth.CSV"), "/x/truth.json");
    assert.equal(truthMetaPath("/x/my.csvs/truth.csv"), "/x/my.csvs/truth.json"); // only the extension
    assert.equal(truthMetaPath("/x/truth"), "/x/truth.json");
    assert.throws(() => readTruthProtocol(join(dir, "t.csv")), { message: `${join(dir, "t.csv")}: its protocol file ${join(dir, "t.json")} cannot be read (ENOENT: no such file or directory, open '${join(dir, "t.json")}')` });
    writeFileSync(join(dir, "t.json"), "{}");
    assert.throws(() => readTruthProtocol(join(dir, "t.csv")), { message: `${join(dir, "t.json")}: no protocol in it; not written by 'kshot study truth'` });
    writeFileSync(join(dir, "t.json"), JSON.stringify({ protocol }));
    assert.deepEqual(readTruthProtocol(join(dir, "t.csv")), protocol);
    writeFileSync(join(dir, "plain.csv"), "arch,acc\na,0.5\n");
    assert.throws(() => readTruth(join(dir, "plain.csv")), /no acc_seed0.. columns/);
  });

  it("averages the ceiling over every pair of seeds (three seeds: three pairs)", () => {
    const row = (arch: string, accs: number[]): TruthRow => ({ arch, accs, mean: 0, macs: 1, params: 1, seconds: 1 });
    // seeds 0 and 1 agree (tau 1), seed 2 reverses both (tau -1, -1): mean tau (1 - 1 - 1) / 3
    const c = truthCeiling([row("a", [0.1, 0.1, 0.3]), row("b", [0.2, 0.2, 0.2]), row("c", [0.3, 0.3, 0.1])])!;
    assert.equal(c.pairs, 3);
    assert.ok(Math.abs(c.kendallTauB - -1 / 3) < 1e-12 && Math.abs(c.spearman - -1 / 3) < 1e-12, JSON.stringify(c));
    assert.equal(truthCeiling([row("a", [0.1]), row("b", [0.2]), row("c", [0.3])]), null, "one seed: no ceiling");
  });

  it("places a value among others by mid-rank: ties count half", () => {
    assert.equal(percentileAmong(0.5, [0.4, 0.5, 0.6]), 50);
    assert.equal(percentileAmong(0.7, [0.4, 0.5, 0.6]), 100);
    assert.equal(percentileAmong(0.1, [0.4, 0.5, 0.6]), 0);
    assert.equal(percentileAmong(0.5, [0.5, 0.5]), 50);
    assert.equal(percentileAmong(0.55, [0.4, 0.5, 0.6, 0.7]), 50);
    assert.throws(() => percentileAmong(0.5, []), { message: "percentile among no values" });
  });
});
