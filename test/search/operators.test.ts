// The variation operators on scripted random draws, against values that
// follow from their definitions by hand: SBX (Deb & Agrawal 1995, bounded as
// in Deb's NSGA-II code and pymoo) puts both children at the parents' mean
// for u = 0 and on the bounds for u = 1; polynomial mutation moves a gene to
// the lower bound for u = 0, keeps it for u = 1/2 and moves it to the upper
// bound for u = 1.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Rng } from "../../engine/index.js";
import { categoricalVariation, realVariation } from "../../nas/search/operators.js";

/** Draws in order: `uniform` from the list, `int(n)` from its own list; an unlisted draw fails the test. */
function scripted(uniforms: number[], ints: number[] = []): Rng & { left(): number } {
  return {
    uniform: () => { assert.ok(uniforms.length > 0, "an unexpected uniform draw"); return uniforms.shift()!; },
    int: () => { assert.ok(ints.length > 0, "an unexpected int draw"); return ints.shift()!; },
    left: () => uniforms.length + ints.length,
  } as unknown as Rng & { left(): number };
}
const close = (a: readonly number[], b: readonly number[], tol = 1e-12) => assert.ok(a.every((v, i) => Math.abs(v - b[i]!) < tol), `${a} vs ${b}`);

describe("real variation (SBX and polynomial mutation)", () => {
  const v = realVariation(2, -1, 3);
  it("keys a real genome by its values: equal genomes alike, different ones apart", () => {
    assert.equal(v.key([0.5, -1]), v.key([0.5, -1]));
    assert.notEqual(v.key([0.5, -1]), v.key([0.5, 1]));
    assert.notEqual(v.key([1, 23]), v.key([12, 3]));
  });
  it("SBX with u = 0 puts both children at the parents' mean; with u = 1 on the bounds; a coin swaps them", () => {
    // draws: crossover?, then per variable: cross it?, u, swap?
    let rng = scripted([0.1, 0.2, 0, 0.9, 0.2, 1, 0.9]);
    let [c, d] = v.crossover([0, 2], [1, -0.5], rng);
    close(c, [0.5, -1]); // variable 0: mean of 0 and 1; variable 1: the lower bound
    close(d, [0.5, 3]); //  ...and the upper bound
    assert.equal((rng as ReturnType<typeof scripted>).left(), 0);
    rng = scripted([0.1, 0.2, 1, 0.3, 0.7]);
    [c, d] = v.crossover([0, 2], [1, -0.5], rng);
    // swapped: the upper bound first; variable 1 not crossed (u = 1 loses digits in beta^-(eta+1) at parents 1 apart)
    close(c, [3, 2], 1e-5);
    close(d, [-1, -0.5], 1e-5);
  });
  it("SBX leaves the parents as they are without crossover, and skips equal genes", () => {
    const [c, d] = v.crossover([0, 2], [1, -0.5], scripted([0.95]));
    assert.deepEqual([c, d], [[0, 2], [1, -0.5]]);
    const [e, f] = v.crossover([0.25, 2], [0.25, 2], scripted([0.1, 0.2, 0.2]));
    assert.deepEqual([e, f], [[0.25, 2], [0.25, 2]]);
  });
  it("with the bounds far from the parents, SBX is the textbook (unbounded) operator", () => {
    // parents 0.9 and 1.1 in [-1, 3]: beta^-(eta+1) is about 1e-21, so alpha = 2 and for u <= 1/2 the spread is
    // (2u)^(1/(eta+1)): the children contract about the mean by that factor
    const [c, d] = v.crossover([0.9, 0], [1.1, 0], scripted([0.1, 0.2, 0.3, 0.9, 0.9]));
    const bq = 0.6 ** (1 / 16);
    close([c[0]!, d[0]!], [1 - 0.1 * bq, 1 + 0.1 * bq], 1e-9);
  });
  it("bounded SBX at eta 1 on parents 0.2 and 0.6 in [0, 1], on both branches of the spread, by hand", () => {
    // beta = 1 + 2 (0.2 - 0) / 0.4 = 2 below, 1 + 2 (1 - 0.6) / 0.4 = 3 above; alpha = 2 - beta^-2 = 1.75 and 17/9
    // u = 0.5 <= 1/alpha: betaq = sqrt(0.5 alpha) = sqrt(0.875), sqrt(17/18); children 0.4 -/+ 0.2 betaq
    // u = 0.9 > 1/alpha: betaq = sqrt(1 / (2 - 0.9 alpha)) = sqrt(1 / 0.425), sqrt(1 / 0.3)
    const sbx = realVariation(1, 0, 1, { etaC: 1 });
    const a = [0.6], b = [0.2];
    close(sbx.crossover(a, b, scripted([0.1, 0.2, 0.5, 0.9])).flat(), [0.4 - 0.2 * Math.sqrt(0.875), 0.4 + 0.2 * Math.sqrt(17 / 18)], 1e-12);
    close(sbx.crossover(a, b, scripted([0.1, 0.2, 0.9, 0.9])).flat(), [0.4 - 0.2 * Math.sqrt(1 / 0.425), 0.4 + 0.2 * Math.sqrt(1 / 0.3)], 1e-12);
    close([0.4 - 0.2 * Math.sqrt(0.875), 0.4 + 0.2 * Math.sqrt(17 / 18)], [0.2129171, 0.5943651], 1e-7); // the same, as decimals
    assert.deepEqual([a, b], [[0.6], [0.2]], "the parents are left as they were");
  });
  it("polynomial mutation at eta 1, by hand: x = 0.25 in [0, 1] moves by sqrt(1/2 + 1/2 0.75^2) - 1 down, 1 - sqrt(1/2 + 1/2 0.25^2) up", () => {
    const pm = realVariation(1, 0, 1, { etaM: 1 });
    close(pm.mutate([0.25], scripted([0, 0.25])), [0.25 + Math.sqrt(0.78125) - 1], 1e-12);
    close(pm.mutate([0.25], scripted([0, 0.75])), [0.25 + 1 - Math.sqrt(0.53125)], 1e-12);
    close([0.25 + Math.sqrt(0.78125) - 1, 1.25 - Math.sqrt(0.53125)], [0.1338835, 0.5211310], 1e-7);
  });
  it("polynomial mutation: u = 0 to the lower bound, 1/2 unchanged, 1 to the upper bound; a gene is mutated with probability 1/n", () => {
    // each gene far from the bound it moves to, so that a wrong distance would not be hidden by clipping
    close(v.mutate([2.5, -0.5], scripted([0.1, 0, 0.1, 1])), [-1, 3]);
    close(v.mutate([0.7, 2], scripted([0.1, 0.5, 0.6])), [0.7, 2]); // 0.6 >= 1/2: the second gene untouched
    close(v.mutate([0.7, 2], scripted([0.49, 0, 0.5])), [-1, 2]);
  });
  it("samples each gene uniformly between the bounds", () => {
    assert.deepEqual(v.sample(scripted([0, 0.5])), [-1, 1]);
  });
});

describe("categorical variation", () => {
  it("keys a categorical genome by its choices", () => {
    const v = categoricalVariation([3, 4]);
    assert.equal(v.key([2, 0]), "2,0");
    assert.notEqual(v.key([1, 2]), v.key([12]));
  });

  const v = categoricalVariation([3, 5, 7]);
  it("uniform crossover swaps each gene on a coin below 1/2, only when crossing", () => {
    assert.deepEqual(v.crossover([0, 1, 2], [2, 4, 6], scripted([0.5, 0.2, 0.7, 0.49])), [[2, 1, 6], [0, 4, 2]]);
    assert.deepEqual(v.crossover([0, 1, 2], [2, 4, 6], scripted([0.9])), [[0, 1, 2], [2, 4, 6]]);
  });
  it("mutation redraws a gene with probability 1/genes, within its own choices", () => {
    const ints: number[] = [];
    const rng = { uniform: scripted([0.1, 0.5, 0.3]).uniform, int: (n: number) => { ints.push(n); return n - 1; } } as unknown as Rng;
    assert.deepEqual(v.mutate([0, 1, 2], rng), [2, 1, 6]); // 0.1 and 0.3 < 1/3 redraw; 0.5 does not
    assert.deepEqual(ints, [3, 7]);
    assert.deepEqual(v.sample({ int: (n: number) => n - 1 } as unknown as Rng), [2, 4, 6]);
    assert.equal(v.key([1, 2, 3]), "1,2,3");
  });
  it("takes its crossover and mutation probabilities", () => {
    const w = categoricalVariation([3, 5], { crossoverProb: 0.2, mutationProb: 0.8 });
    assert.deepEqual(w.crossover([0, 1], [2, 4], scripted([0.3])), [[0, 1], [2, 4]]);
    assert.deepEqual(w.mutate([0, 1], { uniform: scripted([0.7, 0.9]).uniform, int: (n: number) => n - 1 } as unknown as Rng), [2, 1]);
  });
});
