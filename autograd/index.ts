/** Reverse-mode autograd and the differentiable ops built on the engine. */
import "./gradients/activations.js";
import "./gradients/arithmetic.js";
import "./gradients/batchnorm.js";
import "./gradients/conv.js";
import "./gradients/linalg.js";
import "./gradients/pool.js";
import "./gradients/reduce.js";
import "./gradients/shape.js";
import "./gradients/softmax.js";

export { backward, grad, isGradEnabled, noGrad, type BackwardOptions } from "./tape.js";
export { registerGradient, getGradient, type GradFunc, type GradContext } from "./gradient_registry.js";
export { add, addScalar, div, exp, log, mul, mulScalar, neg, powScalar, sqrt, sub } from "./ops/arithmetic.js";
export { hardSigmoid, hardSwish, relu, relu6, sigmoid } from "./ops/activations.js";
export { matmul } from "./ops/linalg.js";
export { conv2d, type Conv2dOptions, type Pair } from "./ops/conv.js";
export { avgPool2d, globalAvgPool, maxPool2d, type PoolOptions } from "./ops/pool.js";
export { batchNorm, type BatchNormMode, type BatchNormOptions } from "./ops/batchnorm.js";
export { argMax, broadcastTo, mean, sum } from "./ops/reduce.js";
export { crossEntropy, logSoftmax } from "./ops/softmax.js";
export { assign, cast, concat, detach, flatten, pad, padChannels, reshape, slice, sliceChannels, transpose } from "./ops/shape.js";
