import type { Tensor } from "../../engine/index.js";
import * as K from "../../engine/kernel_names.js";
import { runOp1 } from "../run_op.js";

export const relu = (x: Tensor): Tensor => runOp1(K.Relu, [x], {});
export const relu6 = (x: Tensor): Tensor => runOp1(K.Relu6, [x], {});
export const sigmoid = (x: Tensor): Tensor => runOp1(K.Sigmoid, [x], {});
/** relu6(x + 3) / 6, as PyTorch. */
export const hardSigmoid = (x: Tensor): Tensor => runOp1(K.HardSigmoid, [x], {});
/** x * relu6(x + 3) / 6, as PyTorch. */
export const hardSwish = (x: Tensor): Tensor => runOp1(K.HardSwish, [x], {});
