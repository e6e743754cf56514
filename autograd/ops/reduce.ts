import { engine, type Tensor } from "../../engine/index.js";
import * as K from "../../engine/kernel_names.js";
import { runOp1 } from "../run_op.js";

const allAxes = (x: Tensor) => x.shape.map((_, i) => i);

export function sum(x: Tensor, axes?: number[], keepDims = false): Tensor {
  return runOp1<K.ReduceAttrs>(K.Sum, [x], { axes: axes ?? allAxes(x), keepDims });
}

export function mean(x: Tensor, axes?: number[], keepDims = false): Tensor {
  return runOp1<K.ReduceAttrs>(K.Mean, [x], { axes: axes ?? allAxes(x), keepDims });
}

export function broadcastTo(x: Tensor, shape: readonly number[]): Tensor {
  return runOp1<K.BroadcastToAttrs>(K.BroadcastTo, [x], { shape: [...shape] });
}

/** Index of the maximum along an axis (int32; not differentiable, so never recorded). */
export function argMax(x: Tensor, axis = -1): Tensor {
  return engine.runKernel<K.ArgMaxAttrs>(K.ArgMax, [x], { axis })[0]!;
}
