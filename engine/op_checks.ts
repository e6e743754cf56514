import type { TensorInfo } from "./backend.js";
import { OpError, fmtShape } from "./errors.js";
import type { BatchNormAttrs, FusedActivation } from "./kernel_names.js";
import { normalizeAxes, shapesEqual } from "./shape.js";

// Argument checks and output shapes of the layout, batch-norm and softmax
// kernels, shared by every backend so each reports bad input the same way.

/** The output shape of a transpose, after checking `perm` is a permutation. */
export function transposeShape(x: TensorInfo, perm: readonly number[]): number[] {
  const rank = x.shape.length;
  if (perm.length !== rank || normalizeAxes("Transpose", perm, rank).some((a, i) => a !== i)) {
    throw new OpError("Transpose", `a permutation of ${rank} axes`, `[${perm.join(", ")}]`);
  }
  return perm.map((p) => x.shape[p]!);
}

export function checkSlice(x: TensorInfo, begin: readonly number[], size: readonly number[]): void {
  const ok = begin.length === x.shape.length && size.length === x.shape.length &&
    begin.every((b, i) => b >= 0 && size[i]! >= 0 && b + size[i]! <= x.shape[i]!);
  if (!ok) throw new OpError("Slice", `begin and size within ${fmtShape(x.shape)}`, `begin [${begin.join(", ")}], size [${size.join(", ")}]`);
}

/** The axis (normalised) and output shape of a concat, after checking the inputs agree. */
export function concatShape(inputs: readonly TensorInfo[], axisAttr: number): { axis: number; shape: number[] } {
  const first = inputs[0];
  if (first === undefined) throw new OpError("Concat", "at least one tensor", "none");
  const [axis] = normalizeAxes("Concat", [axisAttr], first.shape.length) as [number];
  for (const t of inputs) {
    const same = t.dtype === first.dtype && t.shape.length === first.shape.length && t.shape.every((d, i) => i === axis || d === first.shape[i]);
    if (!same) throw new OpError("Concat", `${first.dtype} tensors matching ${fmtShape(first.shape)} except on axis ${axis}`, `${t.dtype} ${fmtShape(t.shape)}`);
  }
  const shape = [...first.shape];
  shape[axis] = inputs.reduce((s, t) => s + t.shape[axis]!, 0);
  return { axis, shape };
}

/** The padded shape, after checking one non-negative [before, after] pair per axis. */
export function padShape(x: TensorInfo, paddings: readonly (readonly [number, number])[]): number[] {
  if (paddings.length !== x.shape.length || paddings.some(([a, b]) => !(Number.isInteger(a) && Number.isInteger(b) && a >= 0 && b >= 0))) {
    throw new OpError("Pad", `${x.shape.length} non-negative [before, after] pairs`, JSON.stringify(paddings));
  }
  return x.shape.map((d, i) => d + paddings[i]![0] + paddings[i]![1]);
}

export function checkBroadcastTo(x: TensorInfo, shape: readonly number[]): void {
  const ok = x.shape.length <= shape.length &&
    x.shape.every((d, i) => d === 1 || d === shape[shape.length - x.shape.length + i]);
  if (!ok) throw new OpError("BroadcastTo", `a shape that ${fmtShape(x.shape)} broadcasts to`, fmtShape(shape));
}

export function checkAssign(dst: TensorInfo, src: TensorInfo): void {
  if (dst.dtype !== src.dtype || !shapesEqual(dst.shape, src.shape)) {
    throw new OpError("Assign", `a ${dst.dtype} value of shape ${fmtShape(dst.shape)}`, `${src.dtype} ${fmtShape(src.shape)}`);
  }
}

/** Batch norm over axis 1 of [N, C, ...]: the sizes, after checking per-channel vectors. */
export function batchNormDims(op: string, x: TensorInfo, vecs: readonly TensorInfo[]): { n: number; c: number; inner: number } {
  if (x.shape.length < 2) throw new OpError(op, "input of shape [N, C, ...]", fmtShape(x.shape));
  const c = x.shape[1]!;
  for (const v of vecs) if (v.shape.length !== 1 || v.shape[0] !== c) throw new OpError(op, `per-channel vectors of shape [${c}]`, fmtShape(v.shape));
  return { n: x.shape[0]!, c, inner: x.shape.slice(2).reduce((a, b) => a * b, 1) };
}

/** A batch norm's fused activation, checked: undefined for none. */
export function fusedActivation(op: string, activation: unknown): FusedActivation | undefined {
  if (activation === undefined || activation === "relu" || activation === "relu6") return activation;
  throw new OpError(op, "a fused activation 'relu' or 'relu6'", `'${String(activation)}'`);
}

/**
 * The inputs of BatchNorm, checked: x, then gamma and beta when affine, then
 * the running mean and variance without batch statistics; with the sizes and
 * the fused activation.
 */
export function batchNormInputs(inputs: readonly TensorInfo[], attrs: BatchNormAttrs): {
  x: TensorInfo; n: number; c: number; inner: number; activation: FusedActivation | undefined;
} {
  const expected = 1 + (attrs.affine ? 2 : 0) + (attrs.batchStats ? 0 : 2);
  if (inputs.length !== expected) throw new OpError("BatchNorm", `${expected} inputs`, `${inputs.length}`);
  const x = inputs[0]!;
  return { x, ...batchNormDims("BatchNorm", x, inputs.slice(1)), activation: fusedActivation("BatchNorm", attrs.activation) };
}

/**
 * The inputs of BatchNormGrad, checked: [dy, x, mean, invstd, gamma?, y?],
 * y (the forward output) with a fused activation; with the sizes and the
 * fused activation.
 */
export function batchNormGradInputs(inputs: readonly TensorInfo[], attrs: BatchNormAttrs): {
  dy: TensorInfo; x: TensorInfo; mean: TensorInfo; invstd: TensorInfo; gamma?: TensorInfo; y?: TensorInfo; n: number; c: number; inner: number;
  activation: FusedActivation | undefined;
} {
  const { affine } = attrs;
  const activation = fusedActivation("BatchNormGrad", attrs.activation);
  const expected = 4 + (affine ? 1 : 0) + (activation ? 1 : 0);
  if (inputs.length !== expected) throw new OpError("BatchNormGrad", `${expected} inputs`, `${inputs.length}`);
  const [dy, x, mean, invstd] = inputs as [TensorInfo, TensorInfo, TensorInfo, TensorInfo];
  const dims = batchNormDims("BatchNormGrad", x, [mean, invstd]);
  const y = activation ? inputs[expected - 1]! : undefined;
  for (const [name, t] of [["dy", dy], ["y", y]] as const) {
    if (t !== undefined && !shapesEqual(t.shape, x.shape)) throw new OpError("BatchNormGrad", `${name} of x's shape ${fmtShape(x.shape)}`, fmtShape(t.shape));
  }
  return { dy, x, mean, invstd, ...(affine ? { gamma: inputs[4]! } : {}), ...(y ? { y } : {}), ...dims, activation };
}

export function checkLogSoftmaxInput(x: TensorInfo): void {
  if (x.dtype !== "float32" || x.shape.length < 1) throw new OpError("LogSoftmax", "a float32 input of rank >= 1", `${x.dtype} ${fmtShape(x.shape)}`);
}

export function checkLabels(op: string, logits: TensorInfo, labels: TensorInfo): void {
  if (logits.shape.length !== 2 || logits.dtype !== "float32") throw new OpError(op, "float32 logits of shape [batch, classes]", `${logits.dtype} ${fmtShape(logits.shape)}`);
  if (labels.dtype !== "int32" || labels.shape.length !== 1 || labels.shape[0] !== logits.shape[0]) {
    throw new OpError(op, `int32 labels of shape [${logits.shape[0]}]`, `${labels.dtype} ${fmtShape(labels.shape)}`);
  }
}

/**
 * An in-place update over groups of `width` inputs (SgdUpdate, MovingAverage),
 * `count` groups as the attributes say (one flag or scale each): every
 * tensor float32 and shaped as its group's first (`what` names it), and
 * the tensors updated in place (at `written` in their group) each updated
 * once and read by no other group, so that the groups may run in any order
 * or at once. Returns the number of groups.
 */
function checkInPlaceGroups(op: string, inputs: readonly TensorInfo[], width: number, count: number, written: readonly number[], what: string): number {
  if (inputs.length === 0 || inputs.length !== width * count) {
    throw new OpError(op, `${width} inputs (${what}) per group, for ${count} group(s)`, `${inputs.length} inputs`);
  }
  const writers = new Map<unknown, number>();
  for (let g = 0; g < count; g++) {
    const first = inputs[g * width]!;
    for (let i = g * width; i < (g + 1) * width; i++) {
      const t = inputs[i]!;
      if (t.dtype !== "float32" || !shapesEqual(t.shape, first.shape)) throw new OpError(op, `float32 tensors of shape ${fmtShape(first.shape)}`, `${t.dtype} ${fmtShape(t.shape)}`);
      if (!written.includes(i - g * width)) continue;
      if (writers.has(t.dataId)) throw new OpError(op, "each tensor updated in place at most once", `inputs ${writers.get(t.dataId)} and ${i} the same tensor`);
      writers.set(t.dataId, i);
    }
  }
  inputs.forEach((t, i) => {
    const w = writers.get(t.dataId);
    if (w !== undefined && w !== i) throw new OpError(op, "no tensor updated in place that another input reads", `input ${i} is input ${w}, updated in place`);
  });
  return count;
}

/** SgdUpdate: per parameter, a float32 gradient (and momentum buffer) shaped as it; returns the number of parameters. */
export function checkSgdInputs(inputs: readonly TensorInfo[], momentum: number, firstStep: readonly boolean[]): number {
  return momentum !== 0
    ? checkInPlaceGroups("SgdUpdate", inputs, 3, firstStep.length, [0, 2], "param, grad, momentum buffer")
    : checkInPlaceGroups("SgdUpdate", inputs, 2, firstStep.length, [0], "param, grad");
}

/** MovingAverage: per target, a float32 value shaped as it; returns the number of targets. */
export function checkMovingAverage(inputs: readonly TensorInfo[], scales: readonly number[]): number {
  return checkInPlaceGroups("MovingAverage", inputs, 2, scales.length, [0], "target, value");
}
