import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Rng } from "../../engine/index.js";
import { nsga2 } from "../../nas/search/nsga2.js";
import { categoricalVariation } from "../../nas/search/operators.js";
import { crowdingDistance, dominates, hypervolume2d, nonDominatedSort, type Scored } from "../../nas/search/pareto.js";

const pt = (...objectives: number[]): Scored => ({ objectives, violation: 0 });

describe("Pareto machinery", () => {
  it("constraint-domination: feasible beats infeasible, smaller violation beats larger, else Pareto", () => {
    assert.ok(dominates(pt(5, 5), { objectives: [0, 0], violation: 1 }));
    assert.ok(dominates({ objectives: [9, 9], violation: 0.5 }, { objectives: [0, 0], violation: 1 }));
    assert.ok(!dominates({ objectives: [0, 0], violation: 1 }, { objectives: [9, 9], violation: 1 }));
    assert.ok(dominates(pt(1, 2), pt(1, 3)));
    assert.ok(!dominates(pt(1, 2), pt(1, 2)));
    assert.ok(!dominates(pt(1, 3), pt(2, 2)));
  });

  it("sorts fronts", () => {
    const items = [pt(1, 5), pt(2, 2), pt(5, 1), pt(3, 3), pt(4, 4), pt(2, 2)];
    assert.deepEqual(nonDominatedSort(items), [[0, 1, 2, 5], [3], [4]]);
    // a later item dominating an earlier one: the later comes first
    assert.deepEqual(nonDominatedSort([pt(3, 3), pt(2, 4), pt(1, 1)]), [[2], [0, 1]]);
    assert.deepEqual(nonDominatedSort([]), []);
  });

  it("crowding distance on hand-computed cases: spread, duplicates, and an objective with zero range", () => {
    // objective 1 spans 0..4, objective 2 spans 4..0
    const a = [pt(0, 4), pt(1, 3), pt(3, 1), pt(4, 0)];
    assert.deepEqual(crowdingDistance(a, [0, 1, 2, 3]), [Infinity, (3 - 0) / 4 + (4 - 1) / 4, (4 - 1) / 4 + (3 - 0) / 4, Infinity]);
    // duplicates: the two (2, 2) points sit between (0, 4) and (4, 0); sorted by position on ties
    const b = [pt(0, 4), pt(2, 2), pt(2, 2), pt(4, 0)];
    assert.deepEqual(crowdingDistance(b, [0, 1, 2, 3]), [Infinity, (2 - 0) / 4 + (4 - 2) / 4, (4 - 2) / 4 + (2 - 0) / 4, Infinity]);
    // the second objective has zero range: it adds nothing inside
    const c = [pt(0, 7), pt(1, 7), pt(3, 7), pt(6, 7)];
    assert.deepEqual(crowdingDistance(c, [0, 1, 2, 3]), [Infinity, 3 / 6, 5 / 6, Infinity]);
    assert.deepEqual(crowdingDistance(c, [0, 1]), [Infinity, Infinity]);
    assert.deepEqual(crowdingDistance(c, [2]), [Infinity]);
    assert.deepEqual(crowdingDistance(c, []), []);
  });

  it("crowding distance sorts each objective itself: a front listed out of order, and ties ordered by position", () => {
    // by objective 1: 0, 1, 3, 5 -> the two inside get 3/5 and 4/5; by objective 2 (5, 4.5, 1, 0): 4.5/5 and 4/5
    const a = [pt(0, 5), pt(1, 4.5), pt(3, 1), pt(5, 0)];
    assert.deepEqual(crowdingDistance(a, [2, 0, 3, 1]), [4 / 5 + 4.5 / 5, Infinity, Infinity, 3 / 5 + 4 / 5]);
    // objective 1 ties at 2: the earlier member takes the lower place, (2 - 0) / 5, the later (5 - 2) / 5
    const t = [pt(0, 9), pt(2, 9), pt(2, 9), pt(5, 9)];
    assert.deepEqual(crowdingDistance(t, [0, 1, 2, 3]), [Infinity, 2 / 5, 3 / 5, Infinity]);
    assert.deepEqual(crowdingDistance(t, [0, 2, 1, 3]), [Infinity, 2 / 5, 3 / 5, Infinity]);
  });

  it("hypervolume of two points by hand", () => {
    assert.ok(Math.abs(hypervolume2d([[0.5, 0.5], [0.2, 0.8]], [1, 1]) - (0.5 * 0.5 + 0.3 * 0.2)) < 1e-12);
    // points past the reference in either objective add nothing
    assert.equal(hypervolume2d([[1.5, 0.2], [0.5, 0.5], [0.2, 1.5]], [1, 1]), 0.25);
    // a dominated point adds nothing: [0.6, 0.7] lies inside [0.5, 0.5]'s rectangle
    assert.equal(hypervolume2d([[0.5, 0.5], [0.6, 0.7]], [1, 1]), 0.25);
  });
});

describe("NSGA-II on categorical genes under a hard bound", () => {
  it("keeps the first generation within the bound, evaluates no genome twice, respects the budget", async () => {
    // maximise the sum of genes (minimise its negative) subject to gene[0] + gene[1] <= 4
    const choices = [5, 5, 5, 5];
    const seen = new Set<string>();
    let first = true;
    const r = await nsga2(categoricalVariation(choices),
      (gs) => gs.map((g) => {
        const k = g.join();
        assert.ok(!seen.has(k), `evaluated twice: ${k}`);
        seen.add(k);
        if (first) assert.ok(g[0]! + g[1]! <= 4);
        return { objectives: [-g.reduce((s, v) => s + v, 0), g[2]!], violation: Math.max(0, g[0]! + g[1]! - 4) };
      }),
      new Rng(3),
      {
        populationSize: 10, generations: 50, maxEvaluations: 120, initialFilter: (g) => g[0]! + g[1]! <= 4,
        onGeneration: ({ generation }) => { if (generation === 0) first = false; },
      });
    assert.ok(r.evaluations <= 120);
    assert.equal(r.evaluations, seen.size);
    assert.ok(r.front.every((i) => i.violation === 0));
    const best = Math.min(...r.front.map((i) => i.objectives[0]!));
    assert.equal(best, -(4 + 4 + 4)); // gene0 + gene1 = 4 at most, genes 2 and 3 at 4
  });

  it("never evaluates more than the budget, even with a population larger than it", async () => {
    const evaluated = new Set<string>();
    const r = await nsga2(categoricalVariation([5, 5, 5, 5]),
      (gs) => gs.map((g) => { evaluated.add(g.join()); return { objectives: [-g[0]!, g[1]!], violation: 0 }; }),
      new Rng(1), { populationSize: 50, generations: 20, maxEvaluations: 10 });
    assert.equal(evaluated.size, 10); // the stub counts distinct genomes itself: 10, not the 50 of a first generation
    assert.equal(r.evaluations, 10);
    assert.equal(r.stopped, "evaluations");
  });

  it("shrinks a population far larger than the space (2 x 3 = 6 genomes) to the space", async () => {
    const calls: number[] = [];
    const r = await nsga2(categoricalVariation([2, 3]),
      (gs) => { calls.push(gs.length); return gs.map((g) => ({ objectives: [g[0]!, g[1]!], violation: 0 })); },
      new Rng(2), { populationSize: 2000, generations: 5, distinct: 6 }); // at 10^6 the old loops never ended (O(n^2) sorting)
    assert.ok(r.evaluations <= 6 && r.population.length <= 6, `${r.evaluations} evaluations, population ${r.population.length}`);
    assert.ok(calls.every((n) => n <= 6));
  });
});

