import * as K from "../../engine/kernel_names.js";
import { registerGradient } from "../gradient_registry.js";
import { matmul } from "../ops/linalg.js";

// C = op(A) op(B). An unbatched operand of a batched product gets a batched
// gradient here; the tape sums it over the batch axis.
registerGradient<K.MatMulAttrs>(K.MatMul, (dy, { inputs: [a, b], attrs: { transposeA: tA, transposeB: tB } }) => {
  const da = tA ? matmul(b!, dy, { transposeA: tB, transposeB: true }) : matmul(dy, b!, { transposeB: !tB });
  const db = tB ? matmul(dy, a!, { transposeA: true, transposeB: tA }) : matmul(a!, dy, { transposeA: !tA });
  return [da, db];
});
