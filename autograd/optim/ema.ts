import { engine, type Tensor } from "../../engine/index.js";
import type { Module } from "../nn/module.js";
import { movingAverage } from "../ops/optim.js";

/**
 * An exponential moving average of a model's weights, of every tensor in its
 * state dict (parameters and BN running statistics, as timm's ModelEmaV2).
 * The average starts at the weights it is built from. After the t-th update
 * (t from 1) it is avg = d_t * avg + (1 - d_t) * w, with TensorFlow's
 * `num_updates` rule d_t = min(decay, (1 + t) / (10 + t)), which the paper's
 * recipe (EfficientNet's) uses: early on the average follows the weights
 * closely, so a decay of 0.9999 also serves a run of a few thousand steps.
 */
export class WeightAverage {
  private readonly pairs: [Tensor, Tensor][];
  private updates = 0;

  constructor(model: Module, readonly decay: number) {
    if (!(decay >= 0 && decay < 1)) throw new Error(`weight average: expected a decay in [0, 1), received ${decay}`);
    this.pairs = [...model.stateDict().values()].filter((t) => t.dtype === "float32").map((t) => {
      const avg = engine.keep(engine.zeros(t.shape, "float32"));
      engine.runKernel("Assign", [avg, t], {});
      return [t, avg] as [Tensor, Tensor];
    });
  }

  /** The decay the next update uses. */
  get nextDecay(): number {
    const t = this.updates + 1;
    return Math.min(this.decay, (1 + t) / (10 + t));
  }

  /** Folds the model's current weights into the average (after an optimiser step). */
  update(): void {
    const d = this.nextDecay;
    movingAverage(this.pairs.map(([w, avg]) => ({ target: avg, value: w })), 1 - d);
    this.updates++;
  }

  /** Writes the average into the model's tensors (for evaluation and the checkpoint). */
  copyToModel(): void {
    for (const [w, avg] of this.pairs) engine.runKernel("Assign", [w, avg], {});
  }

  dispose(): void {
    for (const [, avg] of this.pairs) avg.dispose();
  }
}
