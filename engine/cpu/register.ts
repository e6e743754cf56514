import { kernelTable, registerKernelTable } from "../kernel_table.js";
import { cpuBackend } from "./backend_cpu.js";
import { batchNormGradKernel, batchNormKernel } from "./kernels/batchnorm.js";
import { binaryKernel } from "./kernels/binary.js";
import { conv2dBackpropFilterKernel, conv2dBackpropInputKernel, conv2dKernel } from "./kernels/conv2d.js";
import { assignKernel, castKernel, concatKernel, padKernel, sliceKernel, transposeKernel } from "./kernels/layout.js";
import { matmulKernel } from "./kernels/matmul.js";
import { movingAverageKernel, sgdUpdateKernel } from "./kernels/optim.js";
import { avgPoolGradKernel, avgPoolKernel, maxPoolGradKernel, maxPoolKernel } from "./kernels/pool.js";
import { argMaxKernel, broadcastToKernel, reduceKernel } from "./kernels/reduce.js";
import { logSoftmaxGradKernel, logSoftmaxKernel, softmaxCrossEntropyGradKernel, softmaxCrossEntropyKernel } from "./kernels/softmax.js";
import { activationGradKernel, unaryKernel } from "./kernels/unary.js";

registerKernelTable(cpuBackend.name, kernelTable({
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
}));
