import type { Tensor } from "../../engine/index.js";
import * as K from "../../engine/kernel_names.js";
import { runOp1 } from "../run_op.js";

/** Element-wise arithmetic with NumPy broadcasting. */
export const add = (a: Tensor, b: Tensor): Tensor => runOp1(K.Add, [a, b], {});
export const sub = (a: Tensor, b: Tensor): Tensor => runOp1(K.Sub, [a, b], {});
export const mul = (a: Tensor, b: Tensor): Tensor => runOp1(K.Mul, [a, b], {});
export const div = (a: Tensor, b: Tensor): Tensor => runOp1(K.Div, [a, b], {});

export const neg = (x: Tensor): Tensor => runOp1(K.Neg, [x], {});
export const exp = (x: Tensor): Tensor => runOp1(K.Exp, [x], {});
export const log = (x: Tensor): Tensor => runOp1(K.Log, [x], {});
export const sqrt = (x: Tensor): Tensor => runOp1(K.Sqrt, [x], {});

export const addScalar = (x: Tensor, value: number): Tensor => runOp1<K.ScalarAttrs>(K.AddScalar, [x], { value });
export const mulScalar = (x: Tensor, value: number): Tensor => runOp1<K.ScalarAttrs>(K.MulScalar, [x], { value });
export const powScalar = (x: Tensor, value: number): Tensor => runOp1<K.ScalarAttrs>(K.PowScalar, [x], { value });
