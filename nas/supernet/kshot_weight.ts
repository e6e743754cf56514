import type { Rng, Tensor } from "../../engine/index.js";
import { concat, matmul, reshape } from "../../autograd/index.js";
import { kaimingUniformDefault } from "../../autograd/nn/init.js";
import { Module } from "../../autograd/nn/module.js";

/**
 * The weights of one searchable operation in a supernet. A path asks for
 * them with its code lambda (a [K] tensor on the simplex).
 */
export interface OpWeight {
  readonly shape: readonly number[];
  weight(lambda: Tensor): Tensor;
}

/**
 * K copies theta_1..theta_K of one weight, stored as one [K, ...shape]
 * parameter, merged per path as theta = sum_k lambda_k theta_k *before* the
 * forward pass: one [1, K] x [K, n] product, so a step costs what a one-shot
 * step costs. Autograd carries the gradient to every theta_k and to lambda.
 * Each copy is initialised independently, as PyTorch initialises a conv.
 */
export class KShotWeight extends Module implements OpWeight {
  readonly theta: Tensor;

  constructor(readonly shape: readonly number[], readonly K: number, fanIn: number, rng: Rng) {
    super();
    const copies = Array.from({ length: K }, () => kaimingUniformDefault([1, ...shape], fanIn, rng));
    this.theta = this.registerParameter("theta", K === 1 ? copies[0]! : concat(copies, 0));
    if (K > 1) copies.forEach((c) => c.dispose());
  }

  weight(lambda: Tensor): Tensor {
    const flat = reshape(this.theta, [this.K, -1]);
    return reshape(matmul(reshape(lambda, [1, this.K]), flat), this.shape);
  }

  forward(): Tensor {
    throw new Error("KShotWeight: call weight(lambda)");
  }
}

/** One copy, used as it is: the weight of a plain one-shot (SPOS) supernet. */
export class SharedWeight extends Module implements OpWeight {
  readonly theta: Tensor;

  constructor(readonly shape: readonly number[], fanIn: number, rng: Rng) {
    super();
    this.theta = this.registerParameter("theta", reshape(kaimingUniformDefault([1, ...shape], fanIn, rng), shape));
  }

  weight(): Tensor {
    return this.theta;
  }

  forward(): Tensor {
    throw new Error("SharedWeight: call weight()");
  }
}
