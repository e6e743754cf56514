import type { Tensor } from "../../engine/index.js";
import * as K from "../../engine/kernel_names.js";
import { runOp1 } from "../run_op.js";

/** [.., m, k] x [.., k, n]; rank 2 or 3 (batched, one side may be unbatched). */
export function matmul(a: Tensor, b: Tensor, options: Partial<K.MatMulAttrs> = {}): Tensor {
  return runOp1<K.MatMulAttrs>(K.MatMul, [a, b], { transposeA: options.transposeA ?? false, transposeB: options.transposeB ?? false });
}
