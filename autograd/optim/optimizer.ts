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
    const seen = new Map<Tensor, number>();
    params.forEach((p, i) => {
      if (seen.has(p)) throw new Error(`optimizer: parameter ${i} is parameter ${seen.get(p)} again; each may appear once`);
      seen.set(p, i);
    });
    this.lr = lr;
  }

  /** Applies one update to every parameter that has a gradient. */
  step(): void {
    noGrad(() => this.apply(this.params.filter((p) => p.grad !== null)));
  }

  /** Updates these parameters, each of which has a gradient. */
  protected abstract apply(params: readonly Tensor[]): void;

  /** Frees every gradient; the next backward starts from nothing. */
  zeroGrad(): void {
    for (const p of this.params) {
      p.grad?.dispose();
      p.grad = null;
    }
  }

  /** Frees the state tensors (momentum, moments); the optimiser starts from nothing on its next step. */
  dispose(): void {
    for (const slots of this.state.values()) for (const t of slots) t.dispose();
    this.state.clear();
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

  /** State tensors in parameter order (`<param index>.<slot>`), for checkpoints. */
  stateTensors(): Map<string, Tensor> {
    const out = new Map<string, Tensor>();
    this.params.forEach((p, i) => this.state.get(p)?.forEach((t, k) => out.set(`${i}.${k}`, t)));
    return out;
  }

  /** Restores state written by stateTensors(); a missing or misshapen slot is an error. */
  loadStateTensors(state: ReadonlyMap<string, Tensor>, slotCount: number): void {
    this.params.forEach((p, i) => {
      if (!state.has(`${i}.0`)) return;
      this.slots(p, slotCount).forEach((t, k) => {
        const v = state.get(`${i}.${k}`);
        if (v === undefined || v.shape.join() !== t.shape.join()) throw new Error(`optimizer state: slot ${i}.${k} is missing or has the wrong shape`);
        engine.runKernel("Assign", [t, v], {});
      });
    });
  }
}

/** An optimiser whose rule is element-wise ops on one parameter at a time, each parameter's in a tidy() of its own. */
export abstract class PerParameterOptimizer extends Optimizer {
  protected apply(params: readonly Tensor[]): void {
    for (const p of params) engine.tidy(() => this.update(p, p.grad!));
  }

  protected abstract update(p: Tensor, g: Tensor): void;
}
