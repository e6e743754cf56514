import { engine, type Tensor } from "../../engine/index.js";
import * as K from "../../engine/kernel_names.js";

/** One SGD step on `p` in place, with `buf` its momentum buffer (null without momentum). Not recorded. */
export function sgdUpdate(p: Tensor, grad: Tensor, buf: Tensor | null, attrs: K.SgdUpdateAttrs): void {
  engine.runKernel<K.SgdUpdateAttrs>(K.SgdUpdate, buf === null ? [p, grad] : [p, grad, buf], attrs);
}

/** target = (1 - momentum) * target + momentum * (scale * value), in place. Not recorded. */
export function movingAverage(target: Tensor, value: Tensor, momentum: number, scale = 1): void {
  engine.runKernel<K.MovingAverageAttrs>(K.MovingAverage, [target, value], { momentum, scale });
}
