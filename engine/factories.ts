import ndarray from "ndarray";
import ops from "ndarray-ops";
import type { DType, TypedArray } from "./dtype.js";
import { allocArray, dtypeOfArray } from "./dtype.js";
import { engine } from "./engine.js";
import { OpError, fmtShape } from "./errors.js";
import { cpuBackend } from "./cpu/backend_cpu.js";
import type { Rng } from "./random.js";
import { assertValidShape, sizeOf } from "./shape.js";
import type { Tensor } from "./tensor.js";

/** A tensor holding a copy of `values` (numbers default to float32). */
export function tensor(values: TypedArray | readonly number[], shape?: readonly number[], dtype: DType = "float32"): Tensor {
  const arr = ArrayBuffer.isView(values) ? values : allocFrom(values, dtype);
  const s = shape ?? [arr.length];
  assertValidShape("tensor", s);
  if (sizeOf(s) !== arr.length) throw new OpError("tensor", `${sizeOf(s)} values for shape ${fmtShape(s)}`, `${arr.length}`);
  return engine.fromValues(arr, s);
}

function allocFrom(values: readonly number[], dtype: DType): TypedArray {
  const a = allocArray(dtype, values.length);
  a.set(values);
  return a;
}

export function scalar(value: number, dtype: DType = "float32"): Tensor {
  return tensor([value], [], dtype);
}

export function zeros(shape: readonly number[], dtype: DType = "float32"): Tensor {
  assertValidShape("zeros", shape);
  return engine.zeros(shape, dtype);
}

export function full(shape: readonly number[], value: number, dtype: DType = "float32"): Tensor {
  assertValidShape("full", shape);
  return engine.fromValues(allocArray(dtype, sizeOf(shape)).fill(value), shape);
}

export function ones(shape: readonly number[], dtype: DType = "float32"): Tensor {
  return full(shape, 1, dtype);
}

/** Normal(mean, std) values drawn from `rng`. */
export function randn(shape: readonly number[], rng: Rng, std = 1, mean = 0): Tensor {
  assertValidShape("randn", shape);
  const a = new Float32Array(sizeOf(shape));
  for (let i = 0; i < a.length; i++) a[i] = mean + std * rng.normal();
  return engine.fromValues(a, shape);
}

/** Uniform values in [lo, hi) drawn from `rng`. */
export function uniform(shape: readonly number[], rng: Rng, lo = 0, hi = 1): Tensor {
  assertValidShape("uniform", shape);
  const a = new Float32Array(sizeOf(shape));
  for (let i = 0; i < a.length; i++) a[i] = lo + (hi - lo) * rng.uniform();
  return engine.fromValues(a, shape);
}

/**
 * A CPU tensor over existing memory, without a copy: the way a worker reads
 * weights that another thread wrote into a SharedArrayBuffer.
 */
export function fromSharedView(view: TypedArray, shape: readonly number[]): Tensor {
  if (sizeOf(shape) !== view.length) throw new OpError("fromSharedView", `${sizeOf(shape)} values for shape ${fmtShape(shape)}`, `${view.length}`);
  return engine.makeTensor({ dataId: cpuBackend.adopt(view), shape, dtype: dtypeOfArray(view) }, cpuBackend.name);
}

/** The values of a tensor as an ndarray (a copy), for interop with the scijs ecosystem. */
export function toNdarray(t: Tensor): ndarray.NdArray<TypedArray> {
  return ndarray(t.dataSync(), [...t.shape]);
}

/** A tensor from any ndarray view, strided or offset ones included (copied into row-major order). */
export function fromNdarray(a: ndarray.NdArray<TypedArray>): Tensor {
  const dtype: DType = a.data instanceof Int32Array ? "int32" : "float32";
  const dense = ndarray(allocArray(dtype, a.size), a.shape);
  ops.assign(dense, a);
  return engine.fromValues(dense.data, a.shape);
}
