import { noGrad } from "../../autograd/index.js";
import type { Rng } from "../../engine/index.js";
import { sampleGenes, type SearchSpace } from "../space.js";
import { simplexCodes } from "./path_code.js";
import { rcPairs } from "./regularizer.js";
import type { SimplexNet } from "./simplex_net.js";

/** How alike the simplex-net's codes are for paths of the same operations at near and at far widths. */
export interface WidthCodeSimilarity {
  /** lambda_a . lambda_b for a path and its partner within the threshold (r_c's positive pairs). */
  near: number[];
  /** The same for a path and a copy with widths drawn anew, at or beyond the threshold. */
  far: number[];
  /** Every code computed, [paths * 3][K], and its path: anchor, near partner, far copy, per draw. */
  codes: number[][];
  paths: number[][];
}

/** Width multipliers of a path's width genes. */
const widthsOf = (space: SearchSpace, g: readonly number[]) =>
  space.genes.flatMap((gene, i) => (gene.kind === "width" ? [Number(gene.choices[g[i]!])] : []));

/** L1 distance between two paths' width multipliers (r_c's d). */
export const widthDistance = (space: SearchSpace, a: readonly number[], b: readonly number[]) => {
  const wa = widthsOf(space, a), wb = widthsOf(space, b);
  return wa.reduce((s, w, i) => s + Math.abs(w - wb[i]!), 0);
};

/**
 * The measure of the paper's claim that r_c separates the codes of
 * different widths: `paths` seeded draws, each beside a near partner made as
 * r_c makes them (rcPairs) and a far copy (the same operations, every width
 * drawn anew; redrawn until its distance is at least `threshold`), and the
 * inner products of their codes.
 */
export function widthCodeSimilarity(space: SearchSpace, simplex: SimplexNet, rng: Rng, o: { paths: number; threshold: number }): WidthCodeSimilarity {
  if (simplex.widthDim === 0) throw new Error("width codes: this supernet does not search widths");
  const near: number[] = [], far: number[] = [], codes: number[][] = [], paths: number[][] = [];
  for (let p = 0; p < o.paths; p++) {
    const [anchor, partner] = rcPairs(space, [sampleGenes(space, rng)], rng).variants as [number[], number[]];
    const d = widthDistance(space, anchor, partner);
    if (!(d < o.threshold)) throw new Error(`width codes: a near partner is ${d.toFixed(2)} away, not within the threshold ${o.threshold}`);
    let copy: number[];
    do {
      const fresh = sampleGenes(space, rng);
      copy = anchor.map((v, i) => (space.genes[i]!.kind === "width" ? fresh[i]! : v));
    } while (widthDistance(space, anchor, copy) < o.threshold);
    const [a, b, c] = noGrad(() => {
      const t = simplexCodes(space, simplex, [anchor, partner, copy]);
      const v = t.dataSync();
      t.dispose();
      const K = simplex.K;
      return [0, 1, 2].map((r) => Array.from(v.subarray(r * K, (r + 1) * K)));
    }) as [number[], number[], number[]];
    const dot = (x: number[], y: number[]) => x.reduce((s, xi, k) => s + xi * y[k]!, 0);
    near.push(dot(a, b));
    far.push(dot(a, c));
    codes.push(a, b, c);
    paths.push(anchor, partner, copy);
  }
  return { near, far, codes, paths };
}
