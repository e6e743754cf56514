import { tensor, type Tensor } from "../../engine/index.js";
import { add, logSoftmax, matmul, mul, mulScalar, sum } from "../../autograd/index.js";

/**
 * The channel regulariser r_c (paper Eq. 15-16). The paper leaves open how
 * pairs are formed and which distance and threshold to use; kshot's choice:
 * - codes lambda_1..lambda_n of n paths that share one op architecture and
 *   differ in widths c_1..c_n;
 * - distance d(c_i, c_k) = sum over layers of |multiplier_i - multiplier_k|
 *   (L1 in multiplier units), threshold m: (i, k) is a positive pair when
 *   d < m;
 * - for each positive pair, P(c_i | c_k) = exp(s_ik / tau) / sum_{j != i}
 *   exp(s_ij / tau) with s = lambda^T lambda: the denominator of Eq. 15 with
 *   the anchor's similarity to itself left out;
 * - r_c = mean over positive pairs of -log P(c_i | c_k); 0 without pairs.
 */
export function channelRegularizer(codes: Tensor, widths: readonly (readonly number[])[], tau: number, threshold: number): Tensor {
  const n = widths.length;
  if (codes.shape[0] !== n) throw new Error(`channelRegularizer: ${codes.shape[0]} codes for ${n} width vectors`);
  const positive = new Float32Array(n * n);
  const mask = new Float32Array(n * n);
  let pairs = 0;
  for (let i = 0; i < n; i++) {
    mask[i * n + i] = -1e9; // leave s_ii out of the softmax
    for (let k = 0; k < n; k++) {
      if (k === i) continue;
      const d = widths[i]!.reduce((s, w, l) => s + Math.abs(w - widths[k]![l]!), 0);
      if (d < threshold) { positive[i * n + k] = 1; pairs++; }
    }
  }
  if (pairs === 0) return tensor([0], []);
  const sim = add(mulScalar(matmul(codes, codes, { transposeB: true }), 1 / tau), tensor(mask, [n, n]));
  return mulScalar(sum(mul(logSoftmax(sim), tensor(positive, [n, n]))), -1 / pairs);
}
