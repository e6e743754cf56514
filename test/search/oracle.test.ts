// Searches on a table, with a synthetic table over all 15,625 cells whose
// every read is recorded: the choice must be the most accurate cell read
// within the bound, and every row the table's own.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { Nb201Space } from "../../nas/nb201/space.js";
import { loadOracle, oracleRandomSearch, oracleSearch, type Oracle } from "../../nas/search/oracle.js";
import { tempDir } from "../helpers/temp_dir.js";

// the CIFAR-10 network of NAS-Bench-201, whose FLOPs the oracle searches under
const space = new Nb201Space({ C: 16, N: 5, inChannels: 3, classes: 10, height: 32, width: 32 });
const mflops = new Map<string, number>();
for (const g of space.all()) mflops.set(space.format(g), space.cost(g).nb201Mflops);

/** Accuracy rising with FLOPs plus a hashed wobble, so the best cells lie over any bound; reads are recorded. */
function recordingOracle(): Oracle & { reads: string[] } {
  const reads: string[] = [];
  const table = new Map<string, number>();
  for (const [arch, f] of mflops) {
    let h = 3;
    for (const ch of arch) h = (h * 33 + ch.charCodeAt(0)) % 65521;
    table.set(arch, f / 200 + (h % 100) / 1000);
  }
  const accuracy = new Map(table);
  accuracy.get = (arch: string) => { reads.push(arch); return table.get(arch); };
  return { accuracy, reads };
}

function checkChoice(o: Oracle & { reads: string[] }, r: { bestArch: string; bestAcc: number; front: { arch: string; acc: number; mflops: number }[] }, bound: number) {
  const feasible = o.reads.filter((a) => mflops.get(a)! <= bound);
  const top = Math.max(...feasible.map((a) => o.accuracy.get(a)!));
  assert.ok(o.reads.some((a) => mflops.get(a)! > bound), "the search read cells over the bound too");
  assert.equal(r.bestAcc, top);
  assert.ok(mflops.get(r.bestArch)! <= bound);
  for (const row of r.front) {
    assert.ok(row.mflops <= bound);
    assert.equal(row.mflops, mflops.get(row.arch));
    assert.equal(row.acc, o.accuracy.get(row.arch));
  }
}

describe("search on a NAS-Bench-201 table", () => {
  it("NSGA-II chooses the most accurate cell it read within the bound, each function read once", async () => {
    const o = recordingOracle();
    const r = await oracleSearch(o, { evaluations: 300, populationSize: 30, seed: 2, maxMflops: 60 });
    assert.equal(r.evaluations, 300);
    assert.equal(r.stopped, "evaluations");
    assert.equal(new Set(o.reads.map((a) => space.functionKey(space.parse(a)))).size, o.reads.length);
    assert.equal(o.reads.length, 300);
    assert.ok(o.reads.slice(0, 30).every((a) => mflops.get(a)! <= 60), "the first generation is sampled within the bound");
    checkChoice(o, r, 60);
    assert.deepEqual(r.front.map((p) => p.mflops), [...r.front.map((p) => p.mflops)].sort((a, b) => a - b));
    // without a bound the most accurate cell is the choice, whatever its FLOPs
    const free = recordingOracle();
    const u = await oracleSearch(free, { evaluations: 100, populationSize: 20, seed: 2 });
    assert.equal(u.bestAcc, Math.max(...free.reads.map((a) => free.accuracy.get(a)!)));
  });

  it("random search reads distinct functions within the bound and keeps the best", () => {
    const o = recordingOracle();
    const r = oracleRandomSearch(o, { evaluations: 200, populationSize: 1, seed: 5, maxMflops: 45 }); // 2,430 cells at 47.1
    assert.equal(r.evaluations, 200);
    assert.equal(o.reads.length, 200);
    assert.equal(new Set(o.reads.map((a) => space.functionKey(space.parse(a)))).size, 200);
    assert.ok(o.reads.every((a) => mflops.get(a)! <= 45));
    assert.equal(r.bestAcc, Math.max(...o.reads.map((a) => o.accuracy.get(a)!)));
    assert.equal(o.accuracy.get(r.bestArch), r.bestAcc);
    assert.equal(r.stopped, "random");
    assert.deepEqual(r.front, [], "random search keeps no front");
  });

  it("a bound exactly at the cheapest cells' FLOPs admits them: random search reads such functions until its draws run out, NSGA-II starts among them", async () => {
    const cheapest = Math.min(...mflops.values());
    const atBound = new Set([...space.all()].filter((g) => space.cost(g).nb201Mflops <= cheapest).map((g) => space.functionKey(g)));
    assert.ok(atBound.size >= 2 && atBound.size < 200, `${atBound.size} functions at ${cheapest} MFLOPs`);
    const o = recordingOracle();
    const r = oracleRandomSearch(o, { evaluations: 200, populationSize: 1, seed: 1, maxMflops: cheapest });
    // 127 functions, some of them a single cell of 15,625: 20,000 draws find most of them, each once, and then stop
    const keys = o.reads.map((a) => space.functionKey(space.parse(a)));
    assert.equal(r.evaluations, keys.length);
    assert.equal(new Set(keys).size, keys.length);
    assert.ok(keys.every((k) => atBound.has(k)));
    assert.ok(r.evaluations > 100 && r.evaluations <= atBound.size, `${r.evaluations} evaluations`);
    const n = recordingOracle();
    const s = await oracleSearch(n, { evaluations: 4, populationSize: 2, seed: 1, maxMflops: cheapest });
    assert.ok(n.reads.slice(0, 2).every((a) => mflops.get(a) === cheapest));
    assert.equal(mflops.get(s.bestArch), cheapest);
  });

  it("random search: of equally accurate cells the cheaper, then the first read; below every cell, one line", () => {
    const reads: string[] = [];
    const flat = new Map([...mflops.keys()].map((a) => [a, 0.5]));
    const accuracy = new Map(flat);
    accuracy.get = (arch: string) => { reads.push(arch); return flat.get(arch); };
    const r = oracleRandomSearch({ accuracy }, { evaluations: 40, populationSize: 1, seed: 3, maxMflops: 12 });
    const cheapest = Math.min(...reads.map((a) => mflops.get(a)!));
    assert.equal(r.bestArch, reads.find((a) => mflops.get(a) === cheapest));
    assert.ok(reads.filter((a) => mflops.get(a) === cheapest).length >= 2, "several reads at the cheapest cost, so 'first' matters");
    assert.ok(mflops.get(reads[0]!)! > cheapest, "the first read is not the cheapest, so 'first' alone would choose otherwise");
    assert.throws(() => oracleRandomSearch({ accuracy }, { evaluations: 3, populationSize: 1, seed: 3, maxMflops: 1 }),
      { message: "random search: none of 300 random cells is within 1 MFLOPs" });
  });

  it("names a cell missing from the table, and reads a table from CSV", async () => {
    const dir = tempDir("kshot-oracle-");
    const [a, b] = [...mflops.keys()];
    writeFileSync(join(dir, "t.csv"), `arch,acc\n${a},0.5\n${b},0.25\n`);
    const t = loadOracle(join(dir, "t.csv"), "acc");
    assert.deepEqual([...t.accuracy], [[a, 0.5], [b, 0.25]]);
    await assert.rejects(oracleSearch(t, { evaluations: 10, populationSize: 4, seed: 0 }), { message: /^oracle: architecture \|.*\| is not in the table$/ });
  });
});
