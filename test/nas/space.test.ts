// The space-generic helpers on a stub space whose answers are counted by
// hand: uniform sampling, sampling distinct functions (exclusions, a bound,
// the give-up point) and what a FLOPs bound leaves.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Rng } from "../../engine/index.js";
import type { Cost } from "../../nas/cost.js";
import { Nb201Space } from "../../nas/nb201/space.js";
import { sampleFunctions, sampleGenes, withinBound, type SearchSpace } from "../../nas/space.js";

/**
 * Genes of the given sizes; an architecture costs 1 + sum of gene_i (i + 1)
 * MFLOPs, and two architectures are the same function when their sorted
 * genes are (so [1, 0] and [0, 1] are one).
 */
function stubSpace(sizes: readonly number[]): SearchSpace {
  return {
    name: "stub",
    genes: sizes.map((n, i) => ({ name: `g${i}`, kind: "op", choices: Array.from({ length: n }, (_, c) => `c${c}`) })),
    format: (g) => g.join(","), parse: (s) => s.split(",").map(Number),
    functionKey: (g) => [...g].sort((a, b) => a - b).join(","),
    cost: (g) => ({ nb201Mflops: 1 + g.reduce((s, v, i) => s + v * (i + 1), 0) }) as Cost,
    distinctFunctions: 0,
  };
}

describe("sampleGenes", () => {
  it("draws each gene's choice in gene order from the generator", () => {
    const space = stubSpace([3, 5, 2]);
    const a = new Rng(4), b = new Rng(4);
    for (let t = 0; t < 20; t++) assert.deepEqual(sampleGenes(space, a), [b.int(3), b.int(5), b.int(2)]);
  });
});

describe("sampleFunctions", () => {
  it("returns count architectures of distinct functions, none of an excluded one's, each accepted", () => {
    const space = stubSpace([3, 3]); // functions: {0,0} {0,1} {0,2} {1,1} {1,2} {2,2}
    const got = sampleFunctions(space, 3, new Rng(1), { exclude: [[1, 0], [2, 2]], accept: (g) => g[0] !== 1 || g[1] !== 1 });
    // {0,1} and {2,2} excluded, {1,1} not accepted: the three left, each once
    assert.deepEqual(got.map((g) => space.functionKey(g)).sort(), ["0,0", "0,2", "1,2"]);
  });

  it("draws in order: the first architectures of a larger sample are a smaller one's", () => {
    const space = stubSpace([4, 4, 4]);
    const small = sampleFunctions(space, 5, new Rng(9)), large = sampleFunctions(space, 12, new Rng(9));
    assert.deepEqual(large.slice(0, 5), small);
    assert.equal(new Set(large.map((g) => space.functionKey(g))).size, 12);
  });

  it("gives up after 10,000 draws per architecture asked for, naming what it looked for", () => {
    const space = stubSpace([2]); // two functions
    assert.throws(() => sampleFunctions(space, 3, new Rng(0), { what: "widgets" }), { message: "sampling: fewer than 3 distinct widgets turned up in 30001 draws" });
    assert.throws(() => sampleFunctions(space, 1, new Rng(0), { accept: () => false }), { message: "sampling: fewer than 1 distinct architectures turned up in 10001 draws" });
    assert.deepEqual(sampleFunctions(space, 0, new Rng(0)), []);
  });
});

describe("withinBound", () => {
  it("gives the cheapest architecture's MFLOPs and the distinct functions within the bound, the bound included", () => {
    // [3, 2]: costs 1 + g0 + 2 g1: (0,0) 1, (1,0) 2, (2,0) 3, (0,1) 3, (1,1) 4, (2,1) 5
    const space = stubSpace([3, 2]);
    assert.deepEqual(withinBound(space, 3), { cheapestMflops: 1, functions: 3 }); // {0,0} {0,1} {0,2}; (0,1) is {0,1} again
    assert.deepEqual(withinBound(space, 4), { cheapestMflops: 1, functions: 4 }); // + {1,1}
    assert.deepEqual(withinBound(space, 0.5), { cheapestMflops: 1, functions: 0 });
    assert.deepEqual(withinBound(stubSpace([2, 2, 2]), 100), { cheapestMflops: 1, functions: 4 }); // {000} {001} {011} {111}
  });

  it("enumerates up to a million architectures and refuses more", () => {
    assert.deepEqual(withinBound(stubSpace([1000, 1000]), 2), { cheapestMflops: 1, functions: 2 });
    assert.throws(() => withinBound(stubSpace([1001, 1000]), 2), { message: "withinBound: 1001000 architectures are too many to enumerate" });
  });
});

describe("the NAS-Bench-201 space", () => {
  it("names itself and its six edges in the official order, five ops each", () => {
    const space = new Nb201Space({ C: 4, N: 1, inChannels: 1, classes: 10, height: 28, width: 28 });
    assert.equal(space.name, "nb201");
    assert.deepEqual(space.genes.map((g) => g.name), ["edge0->1", "edge0->2", "edge1->2", "edge0->3", "edge1->3", "edge2->3"]);
    assert.ok(space.genes.every((g) => g.kind === "op" && g.choices.length === 5));
  });
});
