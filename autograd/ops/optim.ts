import { engine, type Tensor } from "../../engine/index.js";
import * as K from "../../engine/kernel_names.js";

/** A parameter for sgdUpdate: its gradient, its momentum buffer (null without momentum), and whether this is its first step. */
export interface SgdParam { p: Tensor; grad: Tensor; buf: Tensor | null; firstStep: boolean }

/** One SGD step on each parameter in place, all in one kernel (as PyTorch's foreach SGD). Not recorded. */
export function sgdUpdate(params: readonly SgdParam[], rule: Omit<K.SgdUpdateAttrs, "firstStep">): void {
  if (params.length === 0) return;
  const inputs = params.flatMap(({ p, grad, buf }) => (rule.momentum !== 0 ? [p, grad, buf!] : [p, grad]));
  engine.runKernel<K.SgdUpdateAttrs>(K.SgdUpdate, inputs, { ...rule, firstStep: params.map((x) => x.firstStep) });
}

/** A running average for movingAverage: target = (1 - momentum) * target + momentum * (scale * value). */
export interface AverageTerm { target: Tensor; value: Tensor; scale?: number }

/** Updates each running average in place, all in one kernel. Not recorded. */
export function movingAverage(terms: readonly AverageTerm[], momentum: number): void {
  if (terms.length === 0) return;
  engine.runKernel<K.MovingAverageAttrs>(K.MovingAverage, terms.flatMap((t) => [t.target, t.value]), { momentum, scales: terms.map((t) => t.scale ?? 1) });
}
