import { engine, type Tensor } from "../../engine/index.js";
import { noGrad } from "../tape.js";

/**
 * Base of the optimisers: a learning rate a schedule may change, per-parameter
 * state tensors (momentum, moments) kept past tidy(), and the SPOS convention
 * that a parameter with no gradient this step is left untouched, its state
 * and weight decay included.
 */
export abstract class Optimizer {
  lr: number;
  protected readonly state = new Map<Tensor, Tensor[]>();

  constructor(readonly params: readonly Tensor[], lr: number) {
    if (!(lr >= 0)) throw new Error(`optimizer: expected a learning rate >= 0, received ${lr}`);
    this.lr = lr;
  }

  /** Applies one update to every parameter that has a gradient. */
  step(): void {
    noGrad(() => {
      for (const p of this.params) {
        if (p.grad === null) continue;
        engine.tidy(() => this.update(p, p.grad!));
      }
    });
  }

  protected abstract update(p: Tensor, g: Tensor): void;

  /** Frees every gradient; the next backward starts from nothing. */
  zeroGrad(): void {
    for (const p of this.params) {
      p.grad?.dispose();
      p.grad = null;
    }
  }

  /** State tensors of a parameter, created (zeros, kept) on first use. */
  protected slots(p: Tensor, count: number): Tensor[] {
    let s = this.state.get(p);
    if (s === undefined) {
      s = Array.from({ length: count }, () => engine.keep(engine.zeros(p.shape, "float32")));
      this.state.set(p, s);
    }
    return s;
  }
}
