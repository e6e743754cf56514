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

describe("supernet search", () => {
  it("evaluates each function once and prints one front row per function, by FLOPs, within the bound", async () => {
    const ev = stubEvaluator();
    const r = await supernetSearch(space, ev, { populationSize: 20, generations: Infinity, evaluations: 300, seed: 3, maxMflops: 3 });
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
});
