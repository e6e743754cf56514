import type { Tensor } from "../../engine/index.js";
import * as K from "../../engine/kernel_names.js";
import { runOp, runOp1 } from "../run_op.js";

/** Log-softmax over the last axis. */
export const logSoftmax = (x: Tensor): Tensor => runOp1(K.LogSoftmax, [x], {});

/** Mean cross-entropy of logits [B, C] against int32 labels [B], with optional label smoothing. */
export function crossEntropy(logits: Tensor, labels: Tensor, options: { labelSmoothing?: number } = {}): Tensor {
  const labelSmoothing = options.labelSmoothing ?? 0;
  if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) throw new Error(`crossEntropy: expected labelSmoothing in [0, 1], received ${labelSmoothing}`);
  return runOp<K.CrossEntropyAttrs>(K.SoftmaxCrossEntropy, [logits, labels], { labelSmoothing })[0]!;
}
