import type { Tensor } from "../../engine/index.js";
import { sgdUpdate } from "../ops/optim.js";
import { Optimizer } from "./optimizer.js";

export interface SgdOptions { lr: number; momentum?: number; nesterov?: boolean; weightDecay?: number }

/**
 * SGD as torch.optim.SGD: g = grad + wd * p; buf = momentum * buf + g (buf = g
 * on a parameter's first step); g = g + momentum * buf with Nesterov, else
 * buf; p -= lr * g.
 */
export class SGD extends Optimizer {
  readonly momentum: number;
  readonly nesterov: boolean;
  readonly weightDecay: number;

  constructor(params: readonly Tensor[], o: SgdOptions) {
    super(params, o.lr);
    this.momentum = o.momentum ?? 0;
    this.nesterov = o.nesterov ?? false;
    this.weightDecay = o.weightDecay ?? 0;
    if (this.nesterov && this.momentum <= 0) throw new Error("SGD: Nesterov momentum needs momentum > 0");
  }

  /** One fused kernel over all the parameters (the rule above as element-wise ops took six per parameter). */
  protected apply(params: readonly Tensor[]): void {
    const updates = params.map((p) => {
      const firstStep = !this.state.has(p);
      return { p, grad: p.grad!, buf: this.momentum !== 0 ? this.slots(p, 1)[0]! : null, firstStep };
    });
    sgdUpdate(updates, { lr: this.lr, momentum: this.momentum, nesterov: this.nesterov, weightDecay: this.weightDecay });
  }

  /** Restores the momentum buffers saved by stateTensors(). */
  loadState(state: ReadonlyMap<string, Tensor>): void {
    this.loadStateTensors(state, 1);
  }
}
