import type { TensorInfo } from "../../backend.js";
import type { BroadcastToAttrs, CastAttrs, ConcatAttrs, PadAttrs, SliceAttrs, TransposeAttrs } from "../../kernel_names.js";
import type { KernelArgs } from "../../kernel_registry.js";
import { checkAssign, checkBroadcastTo, checkSlice, concatShape, padShape, transposeShape } from "../../op_checks.js";
import { broadcastStrides, sizeOf, stridesOf } from "../../shape.js";
import type { GpuData, WebGpuBackend } from "../backend_webgpu.js";
import { PRELUDE, checkRank, groupsFor, padded, perElement, storage } from "../wgsl.js";

/**
 * The one layout program: copies the elements of an index space `shape`
 * from `src` (offset and strides of its own) to `dst` (likewise), as raw
 * 32-bit words so it serves every dtype. Transpose, slice, broadcast,
 * concat and pad are each one or more such copies.
 */
const STRIDED_COPY = {
  key: "stridedCopy",
  code: () => `${PRELUDE}
${storage(1, "src", "u32")}
${storage(2, "dst", "u32", true)}
${perElement()}
  let at = stridedOffsets(i, P(1u), 4u, 10u, 16u);
  dst[P(3u) + at.y] = src[P(2u) + at.x];
}`,
};

interface View { data: GpuData; offset: number; strides: readonly number[] }

export function stridedCopy(backend: WebGpuBackend, shape: readonly number[], src: View, dst: View): void {
  const n = sizeOf(shape);
  const uniforms = [n, shape.length, src.offset, dst.offset, ...padded(shape, 1), ...padded(src.strides), ...padded(dst.strides)];
  backend.dispatch(STRIDED_COPY, [src.data, dst.data], uniforms, groupsFor(n));
}

/** A contiguous copy of `x` read through `strides` from `offset`, in `shape`. */
function gather(backend: WebGpuBackend, op: string, x: TensorInfo, shape: readonly number[], offset: number, strides: readonly number[]): TensorInfo[] {
  checkRank(op, shape);
  const out = backend.output(sizeOf(shape), x.dtype);
  stridedCopy(backend, shape, { data: x.dataId as GpuData, offset, strides }, { data: out, offset: 0, strides: stridesOf(shape) });
  return [{ dataId: out, shape, dtype: x.dtype }];
}

export function transposeKernel({ inputs, attrs, backend }: KernelArgs<TransposeAttrs, WebGpuBackend>): TensorInfo[] {
  const x = inputs[0]!;
  const { perm } = attrs;
  const shape = transposeShape(x, perm);
  const st = stridesOf(x.shape);
  return gather(backend, "Transpose", x, shape, 0, perm.map((p) => st[p]!));
}

export function sliceKernel({ inputs, attrs, backend }: KernelArgs<SliceAttrs, WebGpuBackend>): TensorInfo[] {
  const x = inputs[0]!;
  const { begin, size } = attrs;
  checkSlice(x, begin, size);
  const st = stridesOf(x.shape);
  return gather(backend, "Slice", x, size, begin.reduce((s, b, i) => s + b * st[i]!, 0), st);
}

export function broadcastToKernel({ inputs, attrs, backend }: KernelArgs<BroadcastToAttrs, WebGpuBackend>): TensorInfo[] {
  const x = inputs[0]!;
  const shape = attrs.shape;
  checkBroadcastTo(x, shape);
  return gather(backend, "BroadcastTo", x, shape, 0, broadcastStrides(x.shape, shape));
}

export function concatKernel({ inputs, attrs, backend }: KernelArgs<ConcatAttrs, WebGpuBackend>): TensorInfo[] {
  const { axis, shape } = concatShape(inputs, attrs.axis);
  const first = inputs[0]!;
  checkRank("Concat", first.shape);
  const out = backend.output(sizeOf(shape), first.dtype);
  const outStrides = stridesOf(shape);
  let at = 0;
  for (const t of inputs) {
    stridedCopy(backend, t.shape, { data: t.dataId as GpuData, offset: 0, strides: stridesOf(t.shape) }, { data: out, offset: at * outStrides[axis]!, strides: outStrides });
    at += t.shape[axis]!;
  }
  return [{ dataId: out, shape, dtype: first.dtype }];
}

export function padKernel({ inputs, attrs, backend }: KernelArgs<PadAttrs, WebGpuBackend>): TensorInfo[] {
  const x = inputs[0]!;
  const { paddings } = attrs;
  const shape = padShape(x, paddings);
  checkRank("Pad", x.shape);
  const out = backend.output(sizeOf(shape), x.dtype);
  backend.fill0(out);
  const st = stridesOf(shape);
  stridedCopy(backend, x.shape, { data: x.dataId as GpuData, offset: 0, strides: stridesOf(x.shape) },
    { data: out, offset: paddings.reduce((s, [before], i) => s + before * st[i]!, 0), strides: st });
  return [{ dataId: out, shape, dtype: x.dtype }];
}

const castProgram = (to: "f32" | "i32") => ({
  key: `cast:${to}`,
  code: () => `${PRELUDE}
${storage(1, "src", to === "f32" ? "i32" : "f32")}
${storage(2, "dst", to, true)}
${perElement()}
  dst[i] = ${to}(src[i]);
}`,
});

export function castKernel({ inputs, attrs, backend }: KernelArgs<CastAttrs, WebGpuBackend>): TensorInfo[] {
  const x = inputs[0]!;
  const n = sizeOf(x.shape);
  const out = backend.output(n, attrs.dtype);
  if (x.dtype === attrs.dtype) backend.copy(x.dataId as GpuData, out);
  else backend.dispatch(castProgram(attrs.dtype === "float32" ? "f32" : "i32"), [x.dataId as GpuData, out], [n], groupsFor(n));
  return [{ dataId: out, shape: x.shape, dtype: attrs.dtype }];
}

/** Writes inputs[1] into inputs[0]'s storage in place; returns nothing. */
export function assignKernel({ inputs, backend }: KernelArgs<unknown, WebGpuBackend>): TensorInfo[] {
  const [dst, src] = inputs as [TensorInfo, TensorInfo];
  checkAssign(dst, src);
  backend.copy(src.dataId as GpuData, dst.dataId as GpuData);
  return [];
}
