/**
 * Every kernel has a typed name here, with the attributes it takes. A backend
 * registers a function for each name it implements; autograd registers the
 * gradient of each differentiable one under the same name.
 */
export const MatMul = "MatMul";
export interface MatMulAttrs { transposeA: boolean; transposeB: boolean }

export const Conv2D = "Conv2D";
export const Conv2DBackpropInput = "Conv2DBackpropInput";
export const Conv2DBackpropFilter = "Conv2DBackpropFilter";
export interface Conv2DAttrs {
  stride: [number, number];
  pad: [number, number];
  groups: number;
}
export interface Conv2DBackpropInputAttrs extends Conv2DAttrs { xShape: number[] }
export interface Conv2DBackpropFilterAttrs extends Conv2DAttrs { wShape: number[] }

export const AvgPool = "AvgPool";
export const AvgPoolGrad = "AvgPoolGrad";
export const MaxPool = "MaxPool";
export const MaxPoolGrad = "MaxPoolGrad";
export interface PoolAttrs {
  kernel: [number, number];
  stride: [number, number];
  pad: [number, number];
  /** AvgPool only: divide by the full window, padding included (PyTorch's count_include_pad). */
  countIncludePad?: boolean;
}
export interface PoolGradAttrs extends PoolAttrs { xShape: number[] }

export const BatchNorm = "BatchNorm";
export const BatchNormGrad = "BatchNormGrad";
export interface BatchNormAttrs {
  eps: number;
  /** Normalise with the batch's own statistics (training, or the paper's supernet evaluation). */
  batchStats: boolean;
  affine: boolean;
  /**
   * An activation applied to the output in the same pass (NAS-Bench-201's
   * and MobileNet's BN -> ReLU). BatchNormGrad then takes the forward output
   * as its last input, to mask dy as the activation's own gradient would.
   */
  activation?: FusedActivation;
}
export type FusedActivation = "relu" | "relu6";

export const Add = "Add";
export const Sub = "Sub";
export const Mul = "Mul";
export const Div = "Div";

export const Relu = "Relu";
export const Relu6 = "Relu6";
export const Sigmoid = "Sigmoid";
export const HardSigmoid = "HardSigmoid";
export const HardSwish = "HardSwish";
export const Exp = "Exp";
export const Log = "Log";
export const Neg = "Neg";
export const Sqrt = "Sqrt";
/** Gradient of an activation: inputs [dy, x], attrs name the activation. */
export const ActivationGrad = "ActivationGrad";
export type Activation = "relu" | "relu6" | "sigmoid" | "hardSigmoid" | "hardSwish";
export interface ActivationGradAttrs { activation: Activation }

export const AddScalar = "AddScalar";
export const MulScalar = "MulScalar";
export const PowScalar = "PowScalar";
export interface ScalarAttrs { value: number }

export const Sum = "Sum";
export const Mean = "Mean";
export interface ReduceAttrs { axes: number[]; keepDims: boolean }

export const BroadcastTo = "BroadcastTo";
export interface BroadcastToAttrs { shape: number[] }

export const LogSoftmax = "LogSoftmax";
export const LogSoftmaxGrad = "LogSoftmaxGrad";
export const SoftmaxCrossEntropy = "SoftmaxCrossEntropy";
export const SoftmaxCrossEntropyGrad = "SoftmaxCrossEntropyGrad";
export interface CrossEntropyAttrs { labelSmoothing: number }

export const Transpose = "Transpose";
export interface TransposeAttrs { perm: number[] }
export const Concat = "Concat";
export interface ConcatAttrs { axis: number }
export const Slice = "Slice";
export interface SliceAttrs { begin: number[]; size: number[] }
/** Zero padding: `paddings[i] = [before, after]` along axis i. */
export const Pad = "Pad";
export interface PadAttrs { paddings: [number, number][] }

export const ArgMax = "ArgMax";
export interface ArgMaxAttrs { axis: number }
export const Cast = "Cast";
export interface CastAttrs { dtype: "float32" | "int32" }
/** Copies inputs[1] into the storage of inputs[0] (in-place update of parameters and buffers). */
export const Assign = "Assign";

/**
 * One SGD step in place (torch.optim.SGD's rule, autograd/optim/sgd.ts) on
 * one or more parameters: inputs [param, grad] per parameter and, with
 * momentum, [param, grad, buffer], the buffer starting as the step's
 * gradient where `firstStep` (one flag per parameter) says so. Outputs
 * nothing. Fused because the same rule as element-wise ops costs six
 * kernels per parameter; over many parameters at once (as PyTorch's foreach
 * SGD) because a network's small tensors would each be a call too small to
 * share between threads.
 */
export const SgdUpdate = "SgdUpdate";
export interface SgdUpdateAttrs { lr: number; momentum: number; nesterov: boolean; weightDecay: number; firstStep: readonly boolean[] }

/**
 * Running averages in place: target = (1 - momentum) * target + momentum *
 * (scale * value), inputs [target, value] per average (one or more), one
 * scale each, outputs nothing: batch norm's two running statistics in one
 * kernel instead of ten, a weight average's tensors in one.
 */
export const MovingAverage = "MovingAverage";
export interface MovingAverageAttrs { momentum: number; scales: readonly number[] }

/** Not a backend kernel: the engine re-labels storage. Named so autograd can register its gradient. */
export const Reshape = "Reshape";
export interface ReshapeAttrs { shape: number[] }

/**
 * Every kernel a backend implements (all names above but Reshape). The
 * backends' tables (kernel_table.ts) must fill exactly these: the compiler
 * checks it.
 */
export type BackendKernelName =
  | typeof MatMul
  | typeof Conv2D
  | typeof Conv2DBackpropInput
  | typeof Conv2DBackpropFilter
  | typeof AvgPool
  | typeof AvgPoolGrad
  | typeof MaxPool
  | typeof MaxPoolGrad
  | typeof BatchNorm
  | typeof BatchNormGrad
  | typeof Add
  | typeof Sub
  | typeof Mul
  | typeof Div
  | typeof Relu
  | typeof Relu6
  | typeof Sigmoid
  | typeof HardSigmoid
  | typeof HardSwish
  | typeof Exp
  | typeof Log
  | typeof Neg
  | typeof Sqrt
  | typeof ActivationGrad
  | typeof AddScalar
  | typeof MulScalar
  | typeof PowScalar
  | typeof Sum
  | typeof Mean
  | typeof BroadcastTo
  | typeof LogSoftmax
  | typeof LogSoftmaxGrad
  | typeof SoftmaxCrossEntropy
  | typeof SoftmaxCrossEntropyGrad
  | typeof Transpose
  | typeof Concat
  | typeof Slice
  | typeof Pad
  | typeof ArgMax
  | typeof Cast
  | typeof Assign
  | typeof SgdUpdate
  | typeof MovingAverage;
