import type { TensorInfo } from "./backend.js";
import { OpError, fmtShape } from "./errors.js";
import type { MatMulAttrs } from "./kernel_names.js";

/** Sizes of one (batched) matmul, validated once and shared by every backend's kernel. */
export interface MatMulGeometry {
  m: number; n: number; k: number;
  /** Rows and columns of each operand as stored (before any transpose). */
  ar: number; ac: number; br: number; bc: number;
  batch: number; batchA: number; batchB: number;
  outShape: number[];
}

/** [..., m, k] x [..., k, n] with equal batch sizes, or one side unbatched. */
export function matmulGeometry(a: TensorInfo, b: TensorInfo, { transposeA, transposeB }: MatMulAttrs): MatMulGeometry {
  const op = "MatMul";
  if (a.dtype !== "float32" || b.dtype !== "float32") throw new OpError(op, "float32 operands", `${a.dtype} and ${b.dtype}`);
  if (a.shape.length < 2 || a.shape.length > 3 || b.shape.length < 2 || b.shape.length > 3) {
    throw new OpError(op, "rank-2 or rank-3 operands", `${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
  }
  const [ar, ac] = a.shape.slice(-2) as [number, number];
  const [br, bc] = b.shape.slice(-2) as [number, number];
  const m = transposeA ? ac : ar, k = transposeA ? ar : ac;
  const k2 = transposeB ? bc : br, n = transposeB ? br : bc;
  const batchA = a.shape.length === 3 ? a.shape[0]! : 1;
  const batchB = b.shape.length === 3 ? b.shape[0]! : 1;
  if (k !== k2 || (a.shape.length === 3 && b.shape.length === 3 && batchA !== batchB)) {
    throw new OpError(op, `inner dimensions that agree (transposeA=${transposeA}, transposeB=${transposeB})`,
      `${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
  }
  const batch = Math.max(batchA, batchB);
  const outShape = a.shape.length === 3 || b.shape.length === 3 ? [batch, m, n] : [m, n];
  return { m, n, k, ar, ac, br, bc, batch, batchA, batchB, outShape };
}
