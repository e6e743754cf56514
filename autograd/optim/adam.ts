import type { Tensor } from "../../engine/index.js";
import { add, addScalar, div, mul, mulScalar, sqrt, sub } from "../ops/arithmetic.js";
import { assign } from "../ops/shape.js";
import { PerParameterOptimizer } from "./optimizer.js";

export interface AdamOptions { lr: number; beta1?: number; beta2?: number; eps?: number; weightDecay?: number; decoupled?: boolean }

/**
 * Adam as torch.optim.Adam (weight decay added to the gradient), or AdamW
 * with `decoupled` (p *= 1 - lr * wd before the Adam step). Bias-corrected
 * moments; the step count is per parameter, so a parameter skipped in a step
 * (no gradient) does not advance.
 */
export class Adam extends PerParameterOptimizer {
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  readonly decoupled: boolean;
  private readonly steps = new Map<Tensor, number>();

  constructor(params: readonly Tensor[], o: AdamOptions) {
    super(params, o.lr);
    this.beta1 = o.beta1 ?? 0.9;
    this.beta2 = o.beta2 ?? 0.999;
    this.eps = o.eps ?? 1e-8;
    this.weightDecay = o.weightDecay ?? 0;
    this.decoupled = o.decoupled ?? false;
  }

  protected update(p: Tensor, grad: Tensor): void {
    const t = (this.steps.get(p) ?? 0) + 1;
    this.steps.set(p, t);
    const [m, v] = this.slots(p, 2) as [Tensor, Tensor];
    let g = grad;
    if (this.weightDecay !== 0) {
      if (this.decoupled) assign(p, mulScalar(p, 1 - this.lr * this.weightDecay));
      else g = add(g, mulScalar(p, this.weightDecay));
    }
    assign(m, add(mulScalar(m, this.beta1), mulScalar(g, 1 - this.beta1)));
    assign(v, add(mulScalar(v, this.beta2), mulScalar(mul(g, g), 1 - this.beta2)));
    const mHat = mulScalar(m, 1 / (1 - this.beta1 ** t));
    const vHat = mulScalar(v, 1 / (1 - this.beta2 ** t));
    assign(p, sub(p, mulScalar(div(mHat, addScalar(sqrt(vHat), this.eps)), this.lr)));
  }
}

/** AdamW: Adam with decoupled weight decay (default 0.01, as PyTorch). */
export class AdamW extends Adam {
  constructor(params: readonly Tensor[], o: Omit<AdamOptions, "decoupled">) {
    super(params, { weightDecay: 0.01, ...o, decoupled: true });
  }
}
