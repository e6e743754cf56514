// The truth table's pure parts: the sample of cells, the CSV, the noise
// ceiling and where a value stands among the cells (no training here; the
// truth's trainings are tested in study.test.ts).
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { STANDALONE_RECIPE } from "../../nas/standalone.js";
import { percentileAmong, readTruth, readTruthProtocol, sampleTruthCells, truthCeiling, truthColumns, truthMetaPath, writeTruthCsv, type TruthProtocol, type TruthRow } from "../../nas/study/truth.js";

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
  });

  it("reads a table strictly: a duplicated cell or an accuracy outside [0, 1] names the line", () => {
    const dir = mkdtempSync(join(tmpdir(), "kshot-truth-"));
    const head = truthColumns(2).join(",");
    writeFileSync(join(dir, "dup.csv"), `${head}\na,0.5,0.5,0.5,1,1,1\na,0.5,0.5,0.5,1,1,1\n`);
    assert.throws(() => readTruth(join(dir, "dup.csv")), /line 3: a appears twice/);
    writeFileSync(join(dir, "range.csv"), `${head}\na,0.5,1.5,0.5,1,1,1\n`);
    assert.throws(() => readTruth(join(dir, "range.csv")), /line 2: acc_seed1 is '1.5', expected a number in \[0, 1\]/);
  });

  it("writes a table that reads back, accuracies to 4 places, and names its protocol file", () => {
    const dir = mkdtempSync(join(tmpdir(), "kshot-truth-"));
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
    assert.throws(() => readTruthProtocol(join(dir, "t.csv")), { message: new RegExp(`^${join(dir, "t.csv")}: its protocol file ${join(dir, "t.json")} cannot be read`) });
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
