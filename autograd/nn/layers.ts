import { ones, tidy, zeros, type Rng, type Tensor } from "../../engine/index.js";
import type { FusedActivation } from "../../engine/kernel_names.js";
import { noGrad } from "../tape.js";
import { add, mulScalar } from "../ops/arithmetic.js";
import { hardSigmoid, hardSwish, relu, relu6, sigmoid } from "../ops/activations.js";
import { batchNorm } from "../ops/batchnorm.js";
import { conv2d, pair, type Pair } from "../ops/conv.js";
import { matmul } from "../ops/linalg.js";
import { avgPool2d, globalAvgPool } from "../ops/pool.js";
import { reshape } from "../ops/shape.js";
import { kaimingUniformDefault } from "./init.js";
import { Module } from "./module.js";

/** Multiply-accumulates per image of the last forward pass (conv and linear layers count them). */
export interface CountsMacs { lastMacsPerImage: number }

/**
 * MACs per image of a model's conv and linear layers, traced through one
 * forward pass of a zero image of `inputShape` ([1, C, H, W]) in evaluation mode.
 */
export function countMacs(model: Module, inputShape: readonly number[]): number {
  const wasTraining = model.training;
  noGrad(() => tidy(() => {
    model.eval();
    model.forward(zeros(inputShape));
  }));
  model.train(wasTraining);
  return model.modules().reduce((s, m) => s + (m instanceof Conv2d || m instanceof Linear ? m.lastMacsPerImage : 0), 0);
}

export class Conv2d extends Module implements CountsMacs {
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  readonly stride: [number, number];
  readonly padding: [number, number];
  readonly groups: number;
  lastMacsPerImage = 0;

  constructor(
    readonly inChannels: number, readonly outChannels: number, kernel: Pair, rng: Rng,
    options: { stride?: Pair; padding?: Pair; groups?: number; bias?: boolean } = {},
  ) {
    super();
    const [kh, kw] = pair(kernel);
    this.groups = options.groups ?? 1;
    this.stride = pair(options.stride ?? 1);
    this.padding = pair(options.padding ?? 0);
    const fanIn = (inChannels / this.groups) * kh * kw;
    this.weight = this.registerParameter("weight", kaimingUniformDefault([outChannels, inChannels / this.groups, kh, kw], fanIn, rng));
    this.bias = options.bias ?? true ? this.registerParameter("bias", kaimingUniformDefault([outChannels], fanIn, rng)) : null;
  }

  forward(x: Tensor): Tensor {
    let y = conv2d(x, this.weight, { stride: this.stride, padding: this.padding, groups: this.groups });
    this.lastMacsPerImage = (y.size / y.shape[0]!) * this.weight.size / this.outChannels;
    if (this.bias) y = add(y, reshape(this.bias, [1, this.outChannels, 1, 1]));
    return y;
  }
}

export class Linear extends Module implements CountsMacs {
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  lastMacsPerImage = 0;

  constructor(readonly inFeatures: number, readonly outFeatures: number, rng: Rng, options: { bias?: boolean } = {}) {
    super();
    this.weight = this.registerParameter("weight", kaimingUniformDefault([outFeatures, inFeatures], inFeatures, rng));
    this.bias = options.bias ?? true ? this.registerParameter("bias", kaimingUniformDefault([outFeatures], inFeatures, rng)) : null;
  }

  forward(x: Tensor): Tensor {
    const y = matmul(x, this.weight, { transposeB: true });
    this.lastMacsPerImage = this.inFeatures * this.outFeatures;
    return this.bias ? add(y, this.bias) : y;
  }
}

export interface BatchNormOptionsModule {
  affine?: boolean;
  momentum?: number;
  eps?: number;
  /** A ReLU or ReLU6 on the output, fused into the normalisation (no parameters, so checkpoints are the same as BN then the activation). */
  activation?: FusedActivation;
}

/**
 * BatchNorm2d as PyTorch's: batch statistics and running averages in
 * training, running statistics in evaluation, unless `evalWithBatchStats`
 * is set (how the paper evaluates paths of a supernet).
 */
export class BatchNorm2d extends Module {
  readonly gamma: Tensor | null;
  readonly beta: Tensor | null;
  readonly runningMean: Tensor;
  readonly runningVar: Tensor;
  evalWithBatchStats = false;
  /** Weight of each new batch in the running averages (changeable: recalibration averages cumulatively). */
  momentum: number;
  readonly eps: number;
  readonly activation: FusedActivation | undefined;

  constructor(readonly channels: number, options: BatchNormOptionsModule = {}) {
    super();
    const affine = options.affine ?? true;
    this.gamma = affine ? this.registerParameter("weight", ones([channels])) : null;
    this.beta = affine ? this.registerParameter("bias", zeros([channels])) : null;
    this.runningMean = this.registerBuffer("running_mean", zeros([channels]));
    this.runningVar = this.registerBuffer("running_var", ones([channels]));
    this.momentum = options.momentum ?? 0.1;
    this.eps = options.eps ?? 1e-5;
    this.activation = options.activation;
  }

  forward(x: Tensor): Tensor {
    const mode = this.training ? "train" : this.evalWithBatchStats ? "batch-stats" : "eval";
    return batchNorm(x, {
      mode, gamma: this.gamma ?? undefined, beta: this.beta ?? undefined,
      runningMean: this.runningMean, runningVar: this.runningVar, momentum: this.momentum, eps: this.eps, activation: this.activation,
    });
  }
}

export class Sequential extends Module {
  private readonly layers: Module[];

  constructor(...layers: Module[]) {
    super();
    this.layers = layers;
    layers.forEach((m, i) => this.registerModule(String(i), m));
  }

  forward(x: Tensor): Tensor {
    return this.layers.reduce((h, m) => m.forward(h), x);
  }
}

/** A stateless function as a module. */
export class Lambda extends Module {
  constructor(private readonly fn: (x: Tensor) => Tensor) {
    super();
  }

  forward(x: Tensor): Tensor {
    return this.fn(x);
  }
}

export const ReLU = () => new Lambda(relu);
export const ReLU6 = () => new Lambda(relu6);
export const Sigmoid = () => new Lambda(sigmoid);
export const HardSigmoid = () => new Lambda(hardSigmoid);
export const HardSwish = () => new Lambda(hardSwish);
export const Identity = () => new Lambda((x) => x);
/** Zeros of the input's shape (NAS-Bench-201's `none`; computed as x * 0, as the official code). */
export const Zero = () => new Lambda((x) => mulScalar(x, 0));
export const GlobalAvgPool = () => new Lambda(globalAvgPool);
export const AvgPool2d = (kernel: Pair, options: { stride?: Pair; padding?: Pair; countIncludePad?: boolean } = {}) =>
  new Lambda((x) => avgPool2d(x, kernel, options));
