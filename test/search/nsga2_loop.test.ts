// NSGA-II's loop and its parts on hand cases: the tournament's order of
// criteria, elitist survival, the stop reasons counted generation by
// generation, pairs of children, the budget, and the choice helpers. Every
// case is small and fast, so mutation testing can run it once per mutant.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Rng } from "../../engine/index.js";
import { mostAccurate, nsga2, rankAndCrowd, survive, tournament, type Individual, type Variation } from "../../nas/search/nsga2.js";
import { categoricalVariation } from "../../nas/search/operators.js";
import type { Scored } from "../../nas/search/pareto.js";

const ind = (genes: string, rank: number, crowding: number, objectives: number[] = [0, 0]): Individual<string> => ({ genes, rank, crowding, objectives, violation: 0 });

/** An Rng whose draws are scripted: `int` returns the listed indices, `uniform` the listed values. */
function scripted(ints: number[], uniforms: number[] = []): Rng {
  return { int: () => ints.shift()!, uniform: () => uniforms.shift()! } as unknown as Rng;
}

describe("NSGA-II tournament", () => {
  it("the lower rank wins, whichever is drawn first, whatever the crowding", () => {
    const pop = [ind("a", 0, 1), ind("b", 1, 5)];
    assert.equal(tournament(pop, scripted([0, 1])).genes, "a");
    assert.equal(tournament(pop, scripted([1, 0])).genes, "a");
  });
  it("on equal rank the larger crowding distance wins, whichever is drawn first", () => {
    const pop = [ind("a", 2, 2), ind("b", 2, 3)];
    assert.equal(tournament(pop, scripted([0, 1])).genes, "b");
    assert.equal(tournament(pop, scripted([1, 0])).genes, "b");
  });
  it("on equal rank and crowding a coin decides: below 1/2 the first drawn, else the second", () => {
    const pop = [ind("a", 1, Infinity), ind("b", 1, Infinity)];
    assert.equal(tournament(pop, scripted([0, 1], [0.3])).genes, "a");
    assert.equal(tournament(pop, scripted([0, 1], [0.5])).genes, "b");
    assert.equal(tournament(pop, scripted([1, 0], [0.7])).genes, "a");
  });
});

describe("NSGA-II survival", () => {
  // front 0: (0,4) (1,3) (3.5,0.5) (4,0); front 1: (2,5) (3,4) (5,2)
  // crowding in front 0, by hand: ends infinite; (1,3): 3.5/4 + 3.5/4 = 1.75; (3.5,0.5): 3/4 + 3/4 = 1.5
  const points = [[2, 5], [0, 4], [1, 3], [3, 4], [3.5, 0.5], [5, 2], [4, 0]];
  const merged = () => points.map((o, i) => ind(`p${i}`, -1, -1, o));

  it("keeps whole fronts in their order while they fit, with their rank and crowding", () => {
    const next = survive(merged(), 4);
    assert.deepEqual(next.map((i) => i.genes), ["p1", "p2", "p4", "p6"]);
    assert.deepEqual(next.map((i) => i.rank), [0, 0, 0, 0]);
    assert.deepEqual(next.map((i) => i.crowding), [Infinity, 1.75, 1.5, Infinity]);
    assert.deepEqual(survive(merged(), 7).map((i) => [i.genes, i.rank]),
      [["p1", 0], ["p2", 0], ["p4", 0], ["p6", 0], ["p0", 1], ["p3", 1], ["p5", 1]]);
  });
  it("fills the rest from the next front by crowding distance, largest first", () => {
    assert.deepEqual(survive(merged(), 3).map((i) => i.genes), ["p1", "p6", "p2"]);
    // front 1's ends (2,5) and (5,2) are infinite, (3,4) is (5-2)/3 + (5-2)/3 = 2
    assert.deepEqual(survive(merged(), 6).map((i) => i.genes), ["p1", "p2", "p4", "p6", "p0", "p5"]);
  });
  it("rankAndCrowd writes each member's front and crowding distance", () => {
    const pop = rankAndCrowd(merged());
    assert.deepEqual(pop.map((i) => i.rank), [1, 0, 0, 1, 0, 1, 0]);
    assert.deepEqual(pop.map((i) => i.crowding), [Infinity, Infinity, 1.75, 2, 1.5, Infinity, Infinity]);
  });
});

/** Genomes that never repeat: each crossover names a new pair of children, and mutation keeps them. */
function freshPairs(): Variation<string> & { batches: string[][] } {
  let n = 0, s = 0;
  return {
    batches: [],
    sample: () => `s${s++}`,
    crossover: () => { n++; return [`c${n}a`, `c${n}b`]; },
    mutate: (g) => g,
    key: (g) => g,
  };
}
const hashObjectives = (g: string): Scored => {
  let h = 17;
  for (const ch of g) h = (h * 131 + ch.charCodeAt(0)) % 10007;
  return { objectives: [h % 97, (h / 97) | 0], violation: 0 };
};

describe("NSGA-II loop", () => {
  it("stops after the asked generations, each offspring batch the population's size and made of both children of each crossover", async () => {
    for (const size of [4, 3]) {
      const v = freshPairs();
      const gens: number[] = [];
      const r = await nsga2(v, (b) => { v.batches.push(b); return b.map(hashObjectives); }, new Rng(1),
        { populationSize: size, generations: 5, onGeneration: ({ generation }) => gens.push(generation) });
      assert.equal(r.stopped, "generations");
      assert.equal(r.generations, 5);
      assert.deepEqual(gens, [0, 1, 2, 3, 4, 5]);
      assert.equal(v.batches.length, 6);
      assert.ok(v.batches.every((b) => b.length === size), `batches ${v.batches.map((b) => b.length)}`);
      // generation 1's offspring: crossovers 1.. in order, both children, the last pair cut at the size
      const expected = size === 4 ? ["c1a", "c1b", "c2a", "c2b"] : ["c1a", "c1b", "c2a"];
      assert.deepEqual(v.batches[1], expected);
      assert.equal(r.evaluations, 6 * size);
    }
  });

  it("stalls exactly stallGenerations generations after the last new genome, never calling the evaluator with nothing", async () => {
    const counts: number[] = [];
    const r = await nsga2(categoricalVariation([2, 2]),
      (b) => { assert.ok(b.length > 0, "evaluated an empty batch"); return b.map((g) => ({ objectives: [g[0]!, g[1]!], violation: 0 })); },
      new Rng(5), { populationSize: 2, generations: 1000, stallGenerations: 3, onGeneration: ({ evaluations }) => counts.push(evaluations) });
    assert.equal(r.stopped, "stalled");
    let lastNew = 0;
    for (let g = 1; g < counts.length; g++) if (counts[g]! > counts[g - 1]!) lastNew = g;
    assert.ok(lastNew >= 1);
    assert.equal(r.generations, lastNew + 3, `evaluations per generation ${counts}`);
  });

  it("keeps every generation free of duplicate genomes, the first included", async () => {
    const r = await nsga2(categoricalVariation([3, 3]), (b) => b.map((g) => ({ objectives: [g[0]!, -g[1]!], violation: 0 })), new Rng(2), {
      populationSize: 4, generations: 30,
      onGeneration: ({ population }) => {
        const keys = population.map((p) => p.genes.join());
        assert.equal(new Set(keys).size, keys.length, `duplicates in ${keys}`);
      },
    });
    assert.equal(r.generations, 30);
  });

  it("spends the last of the budget on a new genome even when a cached one comes first", async () => {
    // generation 0: A (5,5) and B (1,1); generation 1: C (2,0) and D (0,2), which push A and B out;
    // generation 2's crossover gives A again (cached, not in the population) and then E: the budget's
    // last evaluation goes to E, and the search stops there
    const obj: Record<string, number[]> = { A: [5, 5], B: [1, 1], C: [2, 0], D: [0, 2], E: [3, 3], F: [4, 4], G: [6, 6] };
    const samples = ["A", "B"], children: [string, string][] = [["C", "D"], ["A", "E"], ["F", "G"]];
    const v: Variation<string> = { sample: () => samples.shift()!, crossover: () => children.shift()!, mutate: (g) => g, key: (g) => g };
    const seen: string[] = [];
    const r = await nsga2(v, (b) => { seen.push(...b); return b.map((g) => ({ objectives: obj[g]!, violation: 0 })); }, new Rng(0),
      { populationSize: 2, generations: 10, maxEvaluations: 5 });
    assert.deepEqual(seen, ["A", "B", "C", "D", "E"]);
    assert.equal(r.stopped, "evaluations");
    assert.equal(r.generations, 2);
  });

  it("samples the first generation through its filter, and says so when the filter passes nothing", async () => {
    let calls = 0;
    const rare = (_g: number[]) => ++calls % 200 === 0; // 1 in 200 passes: 5 need 1,000 tries, well within 1,000 per member
    const r = await nsga2(categoricalVariation([9, 9, 9]), (b) => b.map(() => ({ objectives: [0, 0], violation: 0 })), new Rng(3),
      { populationSize: 5, generations: 0, initialFilter: rare });
    assert.equal(r.population.length, 5);
    assert.equal(calls, 1000);
    await assert.rejects(nsga2(categoricalVariation([9, 9]), () => [], new Rng(3), { populationSize: 2, generations: 1, initialFilter: () => false }),
      { message: "nsga2: could not sample 2 distinct genomes that pass the filter in 2001 tries (is the bound satisfiable, the space larger than the population?)" });
    // 2 genomes cannot fill a population of 3 distinct ones
    await assert.rejects(nsga2(categoricalVariation([2]), () => [], new Rng(3), { populationSize: 3, generations: 1 }),
      { message: /could not sample 3 distinct genomes .* in 3001 tries/ });
  });
});

describe("choosing from a front", () => {
  it("mostAccurate: the more accurate, then the cheaper, then the earlier", () => {
    const p = (acc: number, cost: number, id: string) => ({ objectives: [-acc, cost], violation: 0, id });
    assert.equal(mostAccurate(p(0.9, 5, "b"), p(0.9, 4, "e")).id, "e");
    assert.equal(mostAccurate(p(0.9, 4, "b"), p(0.9, 5, "e")).id, "b");
    assert.equal(mostAccurate(p(0.9, 5, "b"), p(0.9, 5, "e")).id, "b");
    assert.equal(mostAccurate(p(0.9, 5, "b"), p(0.95, 9, "e")).id, "e");
    assert.equal(mostAccurate(p(0.9, 5, "b"), p(0.8, 1, "e")).id, "b");
  });
  it("counts genomes of one key once: no generation and no front holds two (isomorphic cells print one row)", async () => {
    // the key ignores the second gene, as an isomorphism class ignores how a function is written: 4 keys of 16 genomes
    const key = (g: number[]) => String(g[0]);
    const r = await nsga2({ ...categoricalVariation([4, 4]), key }, (b) => b.map((g) => ({ objectives: [-g[0]!, g[0]! * g[0]!], violation: 0 })), new Rng(5), {
      populationSize: 3, generations: 20,
      onGeneration: ({ population }) => {
        const keys = population.map((q) => key(q.genes));
        assert.equal(new Set(keys).size, keys.length, `one key twice in ${population.map((q) => q.genes.join())}`);
      },
    });
    const frontKeys = r.front.map((q) => key(q.genes));
    assert.equal(new Set(frontKeys).size, frontKeys.length);
    assert.ok(r.front.length >= 2, "every individual is on the front (accuracy and cost trade off)");
  });
});
