import * as K from "./kernel_names.js";
import { registerKernel, type KernelFunc } from "./kernel_registry.js";

/** The element-wise binary kernels, built by one family function per backend. */
export const BINARY_KERNELS = [K.Add, K.Sub, K.Mul, K.Div] as const;
export type BinaryKernelName = (typeof BINARY_KERNELS)[number];

/** The element-wise unary kernels (activations, maths, scalar ops), one family function per backend. */
export const UNARY_KERNELS = [K.Relu, K.Relu6, K.Sigmoid, K.HardSigmoid, K.HardSwish, K.Exp, K.Log, K.Neg, K.Sqrt,
  K.AddScalar, K.MulScalar, K.PowScalar] as const;
export type UnaryKernelName = (typeof UNARY_KERNELS)[number];

export const REDUCE_KERNELS = [K.Sum, K.Mean] as const;
export type ReduceKernelName = (typeof REDUCE_KERNELS)[number];

/**
 * What a backend supplies to run every kernel of the engine: one function per
 * kernel, and a family function for each group of kernels that share one
 * implementation. The compiler checks each backend fills all of it.
 */
export interface BackendKernels {
  matmul: KernelFunc;
  conv2d: KernelFunc;
  conv2dBackpropInput: KernelFunc;
  conv2dBackpropFilter: KernelFunc;
  avgPool: KernelFunc;
  avgPoolGrad: KernelFunc;
  maxPool: KernelFunc;
  maxPoolGrad: KernelFunc;
  batchNorm: KernelFunc;
  batchNormGrad: KernelFunc;
  binary(op: BinaryKernelName): KernelFunc;
  unary(op: UnaryKernelName): KernelFunc;
  activationGrad: KernelFunc;
  reduce(op: ReduceKernelName): KernelFunc;
  broadcastTo: KernelFunc;
  argMax: KernelFunc;
  logSoftmax: KernelFunc;
  logSoftmaxGrad: KernelFunc;
  softmaxCrossEntropy: KernelFunc;
  softmaxCrossEntropyGrad: KernelFunc;
  transpose: KernelFunc;
  concat: KernelFunc;
  slice: KernelFunc;
  pad: KernelFunc;
  cast: KernelFunc;
  assign: KernelFunc;
  sgdUpdate: KernelFunc;
  movingAverage: KernelFunc;
}

function family<N extends string>(names: readonly N[], make: (op: N) => KernelFunc): Record<N, KernelFunc> {
  return Object.fromEntries(names.map((n) => [n, make(n)])) as Record<N, KernelFunc>;
}

/** The one list of backend kernels, by name. */
export function kernelTable(k: BackendKernels) {
  return {
    [K.MatMul]: k.matmul,
    [K.Conv2D]: k.conv2d,
    [K.Conv2DBackpropInput]: k.conv2dBackpropInput,
    [K.Conv2DBackpropFilter]: k.conv2dBackpropFilter,
    [K.AvgPool]: k.avgPool,
    [K.AvgPoolGrad]: k.avgPoolGrad,
    [K.MaxPool]: k.maxPool,
    [K.MaxPoolGrad]: k.maxPoolGrad,
    [K.BatchNorm]: k.batchNorm,
    [K.BatchNormGrad]: k.batchNormGrad,
    ...family(BINARY_KERNELS, (op) => k.binary(op)),
    ...family(UNARY_KERNELS, (op) => k.unary(op)),
    [K.ActivationGrad]: k.activationGrad,
    ...family(REDUCE_KERNELS, (op) => k.reduce(op)),
    [K.BroadcastTo]: k.broadcastTo,
    [K.ArgMax]: k.argMax,
    [K.LogSoftmax]: k.logSoftmax,
    [K.LogSoftmaxGrad]: k.logSoftmaxGrad,
    [K.SoftmaxCrossEntropy]: k.softmaxCrossEntropy,
    [K.SoftmaxCrossEntropyGrad]: k.softmaxCrossEntropyGrad,
    [K.Transpose]: k.transpose,
    [K.Concat]: k.concat,
    [K.Slice]: k.slice,
    [K.Pad]: k.pad,
    [K.Cast]: k.cast,
    [K.Assign]: k.assign,
    [K.SgdUpdate]: k.sgdUpdate,
    [K.MovingAverage]: k.movingAverage,
  } satisfies Record<K.BackendKernelName, KernelFunc>;
}

/** Registers every kernel of `table` for `backend`; a name registered before for it is an error. */
export function registerKernelTable(backend: string, table: Record<K.BackendKernelName, KernelFunc>): void {
  for (const [name, fn] of Object.entries(table)) registerKernel(name, backend, fn);
}
