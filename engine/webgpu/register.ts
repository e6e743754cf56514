import { kernelTable, registerKernelTable } from "../kernel_table.js";
import { batchNormGradKernel, batchNormKernel } from "./kernels/batchnorm.js";
import { conv2dBackpropFilterKernel, conv2dBackpropInputKernel, conv2dKernel } from "./kernels/conv2d.js";
import { activationGradKernel, binaryKernel, unaryKernel } from "./kernels/elementwise.js";
import { assignKernel, broadcastToKernel, castKernel, concatKernel, padKernel, sliceKernel, transposeKernel } from "./kernels/layout.js";
import { matmulKernel } from "./kernels/matmul.js";
import { movingAverageKernel, sgdUpdateKernel } from "./kernels/optim.js";
import { avgPoolGradKernel, avgPoolKernel, maxPoolGradKernel, maxPoolKernel } from "./kernels/pool.js";
import { argMaxKernel, reduceKernel } from "./kernels/reduce.js";
import { logSoftmaxGradKernel, logSoftmaxKernel, softmaxCrossEntropyGradKernel, softmaxCrossEntropyKernel } from "./kernels/softmax.js";

/** The GPU kernels, by name. A kernel registered for the CPU alone (a user's own) runs there through WebGpuBackend.fallback. */
export const WEBGPU_KERNELS = kernelTable({
  matmul: matmulKernel,
  conv2d: conv2dKernel,
  conv2dBackpropInput: conv2dBackpropInputKernel,
  conv2dBackpropFilter: conv2dBackpropFilterKernel,
  avgPool: avgPoolKernel,
  avgPoolGrad: avgPoolGradKernel,
  maxPool: maxPoolKernel,
  maxPoolGrad: maxPoolGradKernel,
  batchNorm: batchNormKernel,
  batchNormGrad: batchNormGradKernel,
  binary: binaryKernel,
  unary: unaryKernel,
  activationGrad: activationGradKernel,
  reduce: reduceKernel,
  broadcastTo: broadcastToKernel,
  argMax: argMaxKernel,
  logSoftmax: logSoftmaxKernel,
  logSoftmaxGrad: logSoftmaxGradKernel,
  softmaxCrossEntropy: softmaxCrossEntropyKernel,
  softmaxCrossEntropyGrad: softmaxCrossEntropyGradKernel,
  transpose: transposeKernel,
  concat: concatKernel,
  slice: sliceKernel,
  pad: padKernel,
  cast: castKernel,
  assign: assignKernel,
  sgdUpdate: sgdUpdateKernel,
  movingAverage: movingAverageKernel,
});

export function registerWebGpuKernels(backendName: string): void {
  registerKernelTable(backendName, WEBGPU_KERNELS);
}
