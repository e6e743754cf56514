import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Nb201Space } from "../../nas/nb201/space.js";
import type { SearchSpace } from "../../nas/space.js";
import { supernetSearch, type PathEvaluator } from "../../nas/search/supernet_search.js";

const space = new Nb201Space({ C: 8, N: 1, inChannels: 1, classes: 10, height: 28, width: 28 });

/** An evaluator whose accuracy is a fixed function of the cell's function (as a perfect supernet's would be); it counts its calls per function. */
function stubEvaluator(): PathEvaluator & { calls: Map<string, number> } {
  const calls = new Map<string, number>();
  return {
    calls,
    evaluate: async (genes) => {
      const key = space.functionKey(genes);
      calls.set(key, (calls.get(key) ?? 0) + 1);
      let h = 7;
      for (const ch of key) h = (h * 31 + ch.charCodeAt(0)) % 1000003;
      const c = space.cost(genes);
      return { acc: (h % 1000) / 1000, lambda: [1], params: c.params, macs: c.macs, mflops: c.nb201Mflops };
    },
  };
}

/** Two 4-way genes whose parameters (10 g0 + g1) and FLOPs (40 minus that) run opposite ways, so a front in one is not a front in the other. */
const tiny: SearchSpace = {
  name: "tiny", genes: [0, 1].map((i) => ({ name: `g${i}`, kind: "op" as const, choices: ["a", "b", "c", "d"] })),
  format: (g) => g.join(","), parse: (s) => s.split(",").map(Number),
  cost: (g) => ({ params: 10 * g[0]! + g[1]!, macs: 1, nb201Mflops: 40 - 10 * g[0]! - g[1]! }),
  functionKey: (g) => g.join(","), distinctFunctions: 16,
};

describe("supernet search", () => {
  it("evaluates each function once and prints one front row per function, by FLOPs, within the bound", async () => {
    const ev = stubEvaluator();
    const fronts: number[] = [];
    const r = await supernetSearch(space, ev, { populationSize: 20, generations: Infinity, evaluations: 300, seed: 3, maxMflops: 3, onGeneration: (g) => fronts.push(g.frontSize) });
    // the last generation's first front is the front printed (its members are distinct functions), a part of the population
    assert.equal(fronts.at(-1), r.front.length);
    assert.ok(r.front.length < 20);
    assert.equal(r.stopped, "evaluations");
    assert.equal(r.evaluations, 300);
    assert.equal(ev.calls.size, 300);
    assert.ok([...ev.calls.values()].every((n) => n === 1), "no function evaluated twice");
    const keys = r.front.map((p) => space.functionKey(space.parse(p.arch)));
    assert.equal(new Set(keys).size, keys.length);
    assert.deepEqual(r.front.map((p) => p.mflops), [...r.front.map((p) => p.mflops)].sort((a, b) => a - b));
    for (const p of r.front) assert.ok(p.mflops <= 3);
    assert.equal(r.evaluated.length, 300);
    // the choice: the most accurate within the bound, the cheapest of ties, so it is on the front
    const feasible = r.evaluated.filter((p) => p.mflops <= 3);
    const top = Math.max(...feasible.map((p) => p.acc));
    assert.equal(r.best.acc, top);
    assert.equal(r.best.mflops, Math.min(...feasible.filter((p) => p.acc === top).map((p) => p.mflops)));
    assert.ok(r.front.some((p) => p.arch === r.best.arch), "the chosen cell is on the front");
  });

  it("breaks accuracy ties by FLOPs", async () => {
    // every cell scores the same: the choice is the cheapest evaluated
    const r = await supernetSearch(space, { evaluate: async (g) => { const c = space.cost(g); return { acc: 0.5, lambda: [1], params: c.params, macs: c.macs, mflops: c.nb201Mflops }; } },
      { populationSize: 10, generations: Infinity, evaluations: 40, seed: 2 });
    assert.equal(r.best.mflops, Math.min(...r.evaluated.map((p) => p.mflops)));
    assert.ok(r.front.some((p) => p.arch === r.best.arch));
  });

  it("stops, and says why, when the space has no function left to evaluate", async () => {
    // 3 x 3 choices, where choice 2 of the first gene ignores the second: 7 functions
    const tiny: SearchSpace = {
      name: "tiny", genes: [0, 1].map((i) => ({ name: `g${i}`, kind: "op" as const, choices: ["a", "b", "c"] })),
      format: (g) => g.join(","), parse: (s) => s.split(",").map(Number),
      cost: (g) => ({ params: 1, macs: 1, nb201Mflops: g[0]! + 1 }),
      functionKey: (g) => (g[0] === 2 ? "2,*" : g.join(",")), distinctFunctions: 7,
    };
    let calls = 0;
    const r = await supernetSearch(tiny, { evaluate: async (g) => { calls++; return { acc: g[1]! / 3, lambda: [1], params: 1, macs: 1, mflops: g[0]! + 1 }; } },
      { populationSize: 4, generations: Infinity, evaluations: 100, seed: 1 });
    assert.equal(r.stopped, "exhausted");
    assert.equal(r.evaluations, 7);
    assert.equal(calls, 7);
  });

  it("chooses within the bound when accuracy rises with FLOPs, and reports each generation's best feasible accuracy", async () => {
    // the most accurate cells all lie over the bound: a choice or front row taken from the wrong set is visible
    const calls: number[] = [];
    const gens: { bestAcc: number; frontSize: number; evaluations: number; evalsPerSecond: number }[] = [];
    const ev: PathEvaluator = { evaluate: async (g) => { const c = space.cost(g); calls.push(c.nb201Mflops); return { acc: c.nb201Mflops / 10, lambda: [1], params: c.params, macs: c.macs, mflops: c.nb201Mflops }; } };
    const t0 = performance.now();
    const r = await supernetSearch(space, ev, { populationSize: 10, generations: Infinity, evaluations: 150, seed: 4, maxMflops: 3, onGeneration: (g) => gens.push(g) });
    const wall = (performance.now() - t0) / 1000;
    assert.ok(calls.slice(0, 10).every((m) => m <= 3), "the first generation is sampled within the bound");
    assert.ok(calls.some((m) => m > 3), "the search also tried cells over the bound");
    const feasible = r.evaluated.filter((p) => p.mflops <= 3);
    const top = Math.max(...feasible.map((p) => p.acc));
    assert.equal(r.best.acc, top);
    assert.ok(r.front.length > 0 && r.front.every((p) => p.mflops <= 3));
    // the front: no feasible evaluated cell is both more accurate and cheaper than a row
    for (const row of r.front) assert.ok(!feasible.some((p) => p.acc > row.acc && p.mflops < row.mflops), `${row.arch} is dominated`);
    // the best feasible accuracy never falls (elitism), ends at the choice's, and each generation's counts are the run's
    for (let i = 1; i < gens.length; i++) assert.ok(gens[i]!.bestAcc >= gens[i - 1]!.bestAcc);
    assert.equal(gens.at(-1)!.bestAcc, r.best.acc);
    assert.equal(gens.at(-1)!.evaluations, r.evaluations);
    assert.ok(gens.every((g) => g.frontSize >= 1 && g.frontSize <= 10));
    assert.ok(gens.every((g) => g.evalsPerSecond > 0 && g.evalsPerSecond >= g.evaluations / wall));
    assert.ok(r.seconds > 0 && r.seconds <= wall);
  });

  it("bounds parameters, and trades accuracy against parameters, under maxParams alone", async () => {
    // parameters and FLOPs run opposite ways here, so a front in FLOPs is not a front in parameters
    // by hand, the front in (accuracy, parameters) among the feasible cells is 0, 2, 11, 21 parameters
    const accByParams: Record<number, number> = { 0: 0.1, 1: 0.05, 2: 0.3, 3: 0.2, 10: 0.25, 11: 0.6, 12: 0.5, 13: 0.4, 20: 0.55, 21: 0.9, 22: 0.1 };
    const r = await supernetSearch(tiny, {
      evaluate: async (g) => { const c = tiny.cost(g); return { acc: accByParams[c.params] ?? 0, lambda: [1], params: c.params, macs: 1, mflops: c.nb201Mflops }; },
    }, { populationSize: 6, generations: Infinity, evaluations: 100, seed: 0, maxParams: 22 });
    assert.equal(r.stopped, "exhausted");
    const feasible = r.evaluated.filter((p) => p.params <= 22);
    assert.equal(feasible.length, 11); // 10 * g0 + g1 <= 22: g0 0 or 1 (8 cells), g0 = 2 with g1 <= 2 (3)
    assert.equal(r.best.acc, Math.max(...feasible.map((p) => p.acc)));
    assert.ok(r.best.params <= 22);
    assert.deepEqual(r.front.map((p) => p.params), [21, 11, 2, 0]); // by FLOPs, which fall as parameters rise
    assert.equal(r.best.arch, "2,1");
    // a cell exactly on the bound may be sampled first: with a bound of 2 parameters, 3 cells fill a population of 3
    const onBound = await supernetSearch(tiny, { evaluate: async (g) => { const c = tiny.cost(g); return { acc: accByParams[c.params] ?? 0, lambda: [1], params: c.params, macs: 1, mflops: c.nb201Mflops }; } },
      { populationSize: 3, generations: 0, evaluations: 100, seed: 0, maxParams: 2 });
    assert.deepEqual(onBound.evaluated.map((p) => p.params).sort(), [0, 1, 2]);
  });

  it("under maxMflops the front trades accuracy against FLOPs, not parameters, and a cell exactly on the bound is feasible from the first generation", async () => {
    // within 18 MFLOPs: 22..23 and 30..33 parameters (18, 17, 10, 9, 8, 7 MFLOPs); by hand the front in (accuracy, FLOPs)
    // is 33, 32, 30, 22 parameters, where in (accuracy, parameters) 22 alone would dominate
    const acc: Record<number, number> = { 22: 0.7, 23: 0.45, 30: 0.5, 31: 0.25, 32: 0.3, 33: 0.2 };
    const evaluate = async (g: number[]) => { const c = tiny.cost(g); return { acc: acc[c.params] ?? 0.9, lambda: [1], params: c.params, macs: 1, mflops: c.nb201Mflops }; };
    const r = await supernetSearch(tiny, { evaluate }, { populationSize: 6, generations: Infinity, evaluations: 100, seed: 1, maxMflops: 18 });
    assert.deepEqual(r.front.map((p) => p.params), [33, 32, 30, 22]);
    assert.equal(r.best.params, 22);
    // the six cells within the bound, 18 MFLOPs included, are the whole first generation
    const first = await supernetSearch(tiny, { evaluate }, { populationSize: 6, generations: 0, evaluations: 100, seed: 1, maxMflops: 18 });
    assert.deepEqual(first.evaluated.map((p) => p.params).sort((x, y) => x - y), [22, 23, 30, 31, 32, 33]);
    // without a bound too the front is in FLOPs: every other cell is at 0.9, the cheapest of them 21 parameters (19 MFLOPs)
    const free = await supernetSearch(tiny, { evaluate }, { populationSize: 6, generations: Infinity, evaluations: 100, seed: 1 });
    assert.deepEqual(free.front.map((p) => p.params), [33, 32, 30, 22, 21]);
  });

  it("under both bounds, both hold and the front is in FLOPs: the most accurate cell over the parameter bound is not chosen", async () => {
    // feasible: 10..13 and 20..22 parameters (at least 10 for 30 MFLOPs, at most 22); every other cell at 0.99
    const acc: Record<number, number> = { 10: 0.2, 11: 0.3, 12: 0.25, 13: 0.5, 20: 0.4, 21: 0.45, 22: 0.6 };
    const evaluate = async (g: number[]) => { const c = tiny.cost(g); return { acc: acc[c.params] ?? 0.99, lambda: [1], params: c.params, macs: 1, mflops: c.nb201Mflops }; };
    const r = await supernetSearch(tiny, { evaluate }, { populationSize: 6, generations: Infinity, evaluations: 100, seed: 2, maxMflops: 30, maxParams: 22 });
    assert.equal(r.stopped, "exhausted");
    assert.equal(r.best.params, 22);
    // 22 parameters is both the most accurate and the cheapest in FLOPs; in (accuracy, parameters) the front would be 22, 13, 11, 10
    assert.deepEqual(r.front.map((p) => p.params), [22]);
  });

  it("fails in one line when no evaluated cell meets the bound", async () => {
    // the space's own cost says every cell fits; the evaluator measures them all over it
    const best: number[] = [];
    await assert.rejects(supernetSearch(space, { evaluate: async (g) => { const c = space.cost(g); return { acc: 0.5, lambda: [1], params: c.params, macs: c.macs, mflops: 99 }; } },
      { populationSize: 4, generations: 2, evaluations: 20, seed: 0, maxMflops: 50, onGeneration: (g) => best.push(g.bestAcc) }),
    { message: "search: no evaluated architecture satisfies the bound" });
    assert.deepEqual(best, [NaN, NaN, NaN], "no generation has a feasible best accuracy");
  });
});
