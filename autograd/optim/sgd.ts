import type { Tensor } from "../../engine/index.js";
import { add, mulScalar, sub } from "../ops/arithmetic.js";
import { assign } from "../ops/shape.js";
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

  protected update(p: Tensor, grad: Tensor): void {
    let g = this.weightDecay !== 0 ? add(grad, mulScalar(p, this.weightDecay)) : grad;
    if (this.momentum !== 0) {
      const first = !this.state.has(p);
      const [buf] = this.slots(p, 1) as [Tensor];
      assign(buf, first ? g : add(mulScalar(buf, this.momentum), g));
      g = this.nesterov ? add(g, mulScalar(buf, this.momentum)) : buf;
    }
    assign(p, sub(p, mulScalar(g, this.lr)));
  }

  /** Restores the momentum buffers saved by stateTensors(). */
  loadState(state: ReadonlyMap<string, Tensor>): void {
    this.loadStateTensors(state, 1);
  }
}
