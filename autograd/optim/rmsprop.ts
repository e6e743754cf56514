import type { Tensor } from "../../engine/index.js";
import { add, addScalar, div, mul, mulScalar, sqrt, sub } from "../ops/arithmetic.js";
import { assign } from "../ops/shape.js";
import { PerParameterOptimizer } from "./optimizer.js";

export interface RmspropOptions { lr: number; alpha?: number; eps?: number; momentum?: number; weightDecay?: number }

/**
 * RMSProp as torch.optim.RMSprop (not centered): g = grad + wd * p;
 * s = alpha * s + (1 - alpha) * g^2 (s starts at 0); d = g / (sqrt(s) + eps);
 * with momentum, buf = momentum * buf + d and p -= lr * buf, else p -= lr * d.
 * TensorFlow's RMSProp differs in three ways: s starts at 1, eps is inside
 * the square root, and lr is inside the momentum buffer. PyTorch's is kept
 * for the same reason as SGD's and Adam's here: the tests check against
 * PyTorch. The zero start's large first steps are what a warm-up from a
 * near-zero learning rate absorbs (docs/mbv2-mini.md).
 */
export class RMSprop extends PerParameterOptimizer {
  readonly alpha: number;
  readonly eps: number;
  readonly momentum: number;
  readonly weightDecay: number;

  constructor(params: readonly Tensor[], o: RmspropOptions) {
    super(params, o.lr);
    this.alpha = o.alpha ?? 0.99;
    this.eps = o.eps ?? 1e-8;
    this.momentum = o.momentum ?? 0;
    this.weightDecay = o.weightDecay ?? 0;
    for (const [k, v, lo, hi] of [["alpha", this.alpha, 0, 1], ["momentum", this.momentum, 0, 1]] as const) {
      if (!(v >= lo && v < hi)) throw new Error(`RMSprop: expected ${k} in [${lo}, ${hi}), received ${v}`);
    }
    if (!(this.eps > 0)) throw new Error(`RMSprop: expected eps > 0, received ${this.eps}`);
  }

  protected update(p: Tensor, grad: Tensor): void {
    const [s, buf] = this.slots(p, this.momentum > 0 ? 2 : 1) as [Tensor, Tensor | undefined];
    const g = this.weightDecay !== 0 ? add(grad, mulScalar(p, this.weightDecay)) : grad;
    assign(s, add(mulScalar(s, this.alpha), mulScalar(mul(g, g), 1 - this.alpha)));
    const d = div(g, addScalar(sqrt(s), this.eps));
    if (buf === undefined) {
      assign(p, sub(p, mulScalar(d, this.lr)));
    } else {
      assign(buf, add(mulScalar(buf, this.momentum), d));
      assign(p, sub(p, mulScalar(buf, this.lr)));
    }
  }

  /** Restores the state saved by stateTensors(). */
  loadState(state: ReadonlyMap<string, Tensor>): void {
    this.loadStateTensors(state, this.momentum > 0 ? 2 : 1);
  }
}
