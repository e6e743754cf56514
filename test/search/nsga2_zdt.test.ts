// NSGA-II against known answers on the ZDT problems (Zitzler, Deb & Thiele
// 2000): 25,000 evaluations each, so these live apart from the fast Pareto
// tests that mutation testing runs once per mutant.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Rng } from "../../engine/index.js";
import { nsga2 } from "../../nas/search/nsga2.js";
import { realVariation } from "../../nas/search/operators.js";
import { hypervolume2d, type Scored } from "../../nas/search/pareto.js";

const pt = (...objectives: number[]): Scored => ({ objectives, violation: 0 });

const zdt = {
  zdt1: (x: number[]) => { const g = 1 + (9 * x.slice(1).reduce((s, v) => s + v, 0)) / (x.length - 1); return [x[0]!, g * (1 - Math.sqrt(x[0]! / g))]; },
  zdt2: (x: number[]) => { const g = 1 + (9 * x.slice(1).reduce((s, v) => s + v, 0)) / (x.length - 1); return [x[0]!, g * (1 - (x[0]! / g) ** 2)]; },
  zdt3: (x: number[]) => {
    const g = 1 + (9 * x.slice(1).reduce((s, v) => s + v, 0)) / (x.length - 1);
    const r = x[0]! / g;
    return [x[0]!, g * (1 - Math.sqrt(r) - r * Math.sin(10 * Math.PI * x[0]!))];
  },
};

/** Hypervolume of the true front (g = 1), from a dense sampling of x1 (hypervolume2d ignores dominated points). */
function trueHv(f: (x: number[]) => number[]): number {
  return hypervolume2d(Array.from({ length: 100001 }, (_, i) => f([i / 100000, ...new Array(29).fill(0)])), [1.1, 1.1]);
}

describe("NSGA-II on ZDT problems (population 100, 250 generations)", () => {
  // The hypervolume is that of everything the run evaluated (its non-dominated
  // archive): a final population of 100 points alone cannot come within 1% of
  // ZDT2's concave front, whose 100-step staircase already loses about 0.9%.
  for (const [name, f, published] of [["zdt1", zdt.zdt1, 0.876667], ["zdt2", zdt.zdt2, 0.543333], ["zdt3", zdt.zdt3, null]] as const) {
    it(`${name}: hypervolume (reference 1.1, 1.1) within 1% of the true front's`, async () => {
      const truth = trueHv(f);
      if (published !== null) assert.ok(Math.abs(truth - published) < 1e-3, `true front ${truth} vs published ${published}`);
      const r = await nsga2(realVariation(30), (xs) => xs.map((x) => pt(...f(x))), new Rng(1), { populationSize: 100, generations: 250 });
      const hv = hypervolume2d(r.evaluated.map((i) => i.objectives), [1.1, 1.1]);
      assert.ok(hv >= 0.99 * truth && hv <= truth + 1e-9, `${name}: ${hv} vs ${truth}`);
      const finalHv = hypervolume2d(r.front.map((i) => i.objectives), [1.1, 1.1]);
      assert.ok(finalHv >= 0.98 * truth, `${name}: final population ${finalHv} vs ${truth}`);
    });
  }

  it("is deterministic for a seed", async () => {
    const run = async () => (await nsga2(realVariation(30), (xs) => xs.map((x) => pt(...zdt.zdt1(x))), new Rng(4), { populationSize: 20, generations: 10 })).front.map((i) => i.objectives);
    assert.deepEqual(await run(), await run());
  });
});
