import { tensor, type Rng, type Tensor } from "../../engine/index.js";
import { add, exp, logSoftmax, relu } from "../../autograd/index.js";
import { Linear } from "../../autograd/nn/layers.js";
import { Module } from "../../autograd/nn/module.js";

/**
 * The simplex-net pi: architecture branch Linear(op one-hot -> hidden) plus
 * channel branch Linear(width one-hot -> hidden) (absent when the space has
 * no width choices), summed, ReLU, Linear(hidden -> K), softmax. One code
 * lambda on the simplex per path.
 */
export class SimplexNet extends Module {
  private readonly arch: Linear;
  private readonly channel: Linear | null;
  private readonly out: Linear;

  constructor(readonly archDim: number, readonly widthDim: number, readonly K: number, rng: Rng, readonly hidden = 100) {
    super();
    this.arch = this.registerModule("arch_branch", new Linear(archDim, hidden, rng));
    this.channel = widthDim > 0 ? this.registerModule("channel_branch", new Linear(widthDim, hidden, rng)) : null;
    this.out = this.registerModule("out", new Linear(hidden, K, rng));
  }

  /** Codes [m, K] for m paths given their op one-hots [m, archDim] and width one-hots [m, widthDim]. */
  codes(archOneHot: Tensor, widthOneHot: Tensor | null): Tensor {
    let h = this.arch.forward(archOneHot);
    if (this.channel !== null) {
      if (widthOneHot === null) throw new Error("SimplexNet: this space has width choices; pass their one-hot encoding");
      h = add(h, this.channel.forward(widthOneHot));
    }
    return exp(logSoftmax(this.out.forward(relu(h))));
  }

  forward(x: Tensor): Tensor {
    return this.codes(x, null);
  }
}

/** Stacks per-path one-hot vectors into an [m, dim] tensor. */
export function stackOneHots(rows: readonly Float32Array[]): Tensor {
  const dim = rows[0]?.length ?? 0;
  const out = new Float32Array(rows.length * dim);
  rows.forEach((r, i) => out.set(r, i * dim));
  return tensor(out, [rows.length, dim]);
}
