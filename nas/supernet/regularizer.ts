import { tensor, type Rng, type Tensor } from "../../engine/index.js";
import type { SearchSpace } from "../space.js";
import { logSoftmax, matmul, mul, mulScalar, sum } from "../../autograd/index.js";

/**
 * The channel regulariser r_c (paper Eq. 15-16). The paper leaves open how
 * pairs are formed and which distance and threshold to use; kshot's choice:
 * - codes lambda_1..lambda_n of n paths that share one op architecture and
 *   differ in widths c_1..c_n;
 * - distance d(c_i, c_k) = sum over layers of |multiplier_i - multiplier_k|
 *   (L1 in multiplier units), threshold m: (i, k) is a positive pair when
 *   d < m;
 * - for each positive pair, Eq. 15 as written: P(c_i | c_k) =
 *   exp(s_ik / tau) / (exp(s_ik / tau) + sum_{j != k} exp(s_ij / tau)) with
 *   s = lambda^T lambda and j over all n codes, the anchor i included: a
 *   softmax over row i of s / tau;
 * - r_c = mean over positive pairs of -log P(c_i | c_k); 0 without pairs.
 */
export function channelRegularizer(codes: Tensor, widths: readonly (readonly number[])[], tau: number, threshold: number): Tensor {
  const n = widths.length;
  if (codes.shape[0] !== n) throw new Error(`channelRegularizer: ${codes.shape[0]} codes for ${n} width vectors`);
  const positive = new Float32Array(n * n);
  let pairs = 0;
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < n; k++) {
      if (k === i) continue;
      const d = widths[i]!.reduce((s, w, l) => s + Math.abs(w - widths[k]![l]!), 0);
      if (d < threshold) { positive[i * n + k] = 1; pairs++; }
    }
  }
  if (pairs === 0) return tensor([0], []);
  const sim = mulScalar(matmul(codes, codes, { transposeB: true }), 1 / tau);
  return mulScalar(sum(mul(logSoftmax(sim), tensor(positive, [n, n]))), -1 / pairs);
}

/** Width layers moved to make a path's positive partner. */
const MOVES = 3;

/**
 * The paths r_c compares: each of the step's paths beside a near copy that
 * differs in MOVES distinct width layers by one grid step each (stepping back
 * in from the ends of the grid, so every move changes the width), all under
 * the first path's ops, so every vector has a positive partner. Returns the
 * paths (anchor, partner, anchor, partner, ...) and their width multipliers.
 */
export function rcPairs(space: SearchSpace, paths: readonly (readonly number[])[], rng: Rng): { variants: number[][]; widths: number[][] } {
  const widthAt = space.genes.map((g, i) => (g.kind === "width" ? i : -1)).filter((i) => i >= 0);
  if (widthAt.length < MOVES) throw new Error(`r_c: the space has ${widthAt.length} width genes, fewer than the ${MOVES} a partner moves`);
  const base = paths[0]!;
  const variants: number[][] = [];
  for (const p of paths) {
    const anchor = p.map((g, i) => (space.genes[i]!.kind === "op" ? base[i]! : g));
    const near = [...anchor];
    const layers = [...widthAt];
    for (let t = 0; t < MOVES; t++) {
      const i = layers.splice(rng.int(layers.length), 1)[0]!;
      const n = space.genes[i]!.choices.length, v = near[i]!;
      const up = v === 0 ? true : v === n - 1 ? false : rng.uniform() < 0.5;
      near[i] = v + (up ? 1 : -1);
    }
    variants.push(anchor, near);
  }
  const widths = variants.map((v) => widthAt.map((i) => Number(space.genes[i]!.choices[v[i]!])));
  return { variants, widths };
}
