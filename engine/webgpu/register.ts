import * as K from "../kernel_names.js";
import { registerKernel, type KernelFunc } from "../kernel_registry.js";
import { batchNormGradKernel, batchNormKernel } from "./kernels/batchnorm.js";
import { conv2dBackpropFilterKernel, conv2dBackpropInputKernel, conv2dKernel } from "./kernels/conv2d.js";
import { activationGradKernel, binaryKernel, unaryKernel } from "./kernels/elementwise.js";
import { assignKernel, broadcastToKernel, castKernel, concatKernel, padKernel, sliceKernel, transposeKernel } from "./kernels/layout.js";
import { matmulKernel } from "./kernels/matmul.js";
import { movingAverageKernel, sgdUpdateKernel } from "./kernels/optim.js";
import { avgPoolGradKernel, avgPoolKernel, maxPoolGradKernel, maxPoolKernel } from "./kernels/pool.js";
import { argMaxKernel, reduceKernel } from "./kernels/reduce.js";
import { logSoftmaxGradKernel, logSoftmaxKernel, softmaxCrossEntropyGradKernel, softmaxCrossEntropyKernel } from "./kernels/softmax.js";

/** The GPU kernels, by name; a kernel missing here runs on the CPU through WebGpuBackend.fallback. */
export const WEBGPU_KERNELS: [string, KernelFunc][] = [
  [K.MatMul, matmulKernel],
  [K.Conv2D, conv2dKernel],
  [K.Conv2DBackpropInput, conv2dBackpropInputKernel],
  [K.Conv2DBackpropFilter, conv2dBackpropFilterKernel],
  [K.AvgPool, avgPoolKernel],
  [K.AvgPoolGrad, avgPoolGradKernel],
  [K.MaxPool, maxPoolKernel],
  [K.MaxPoolGrad, maxPoolGradKernel],
  [K.BatchNorm, batchNormKernel],
  [K.BatchNormGrad, batchNormGradKernel],
  [K.Add, binaryKernel("Add")],
  [K.Sub, binaryKernel("Sub")],
  [K.Mul, binaryKernel("Mul")],
  [K.Div, binaryKernel("Div")],
  ...[K.Relu, K.Relu6, K.Sigmoid, K.HardSigmoid, K.HardSwish, K.Exp, K.Log, K.Neg, K.Sqrt, K.AddScalar, K.MulScalar, K.PowScalar]
    .map((name): [string, KernelFunc] => [name, unaryKernel(name)]),
  [K.ActivationGrad, activationGradKernel],
  [K.Sum, reduceKernel("Sum")],
  [K.Mean, reduceKernel("Mean")],
  [K.BroadcastTo, broadcastToKernel],
  [K.ArgMax, argMaxKernel],
  [K.LogSoftmax, logSoftmaxKernel],
  [K.LogSoftmaxGrad, logSoftmaxGradKernel],
  [K.SoftmaxCrossEntropy, softmaxCrossEntropyKernel],
  [K.SoftmaxCrossEntropyGrad, softmaxCrossEntropyGradKernel],
  [K.Transpose, transposeKernel],
  [K.Concat, concatKernel],
  [K.Slice, sliceKernel],
  [K.Pad, padKernel],
  [K.Cast, castKernel],
  [K.Assign, assignKernel],
  [K.SgdUpdate, sgdUpdateKernel],
  [K.MovingAverage, movingAverageKernel],
];

export function registerWebGpuKernels(backendName: string): void {
  for (const [name, fn] of WEBGPU_KERNELS) registerKernel(name, backendName, fn);
}
