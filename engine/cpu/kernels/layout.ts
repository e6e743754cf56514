import type { TensorInfo } from "../../backend.js";
import type { CastAttrs, ConcatAttrs, PadAttrs, SliceAttrs, TransposeAttrs } from "../../kernel_names.js";
import type { KernelArgs } from "../../kernel_registry.js";
import { checkAssign, checkSlice, concatShape, padShape, transposeShape } from "../../op_checks.js";
import { sizeOf, stridesOf } from "../../shape.js";
import type { CpuBackend } from "../backend_cpu.js";
import { walkRows } from "./strided.js";

export function transposeKernel({ inputs, attrs, backend }: KernelArgs<TransposeAttrs, CpuBackend>): TensorInfo[] {
  const x = inputs[0]!;
  const { perm } = attrs;
  const shape = transposeShape(x, perm);
  const inStrides = stridesOf(x.shape);
  const xv = backend.values(x.dataId);
  const outId = backend.allocateUninit(sizeOf(shape), x.dtype);
  const out = backend.values(outId);
  walkRows(shape, stridesOf(shape), perm.map((p) => inStrides[p]!), stridesOf(shape), (o, xi, _u, n, _so, sx) => {
    for (let i = 0; i < n; i++) out[o + i] = xv[xi + i * sx]!;
  });
  return [{ dataId: outId, shape, dtype: x.dtype }];
}

export function concatKernel({ inputs, attrs, backend }: KernelArgs<ConcatAttrs, CpuBackend>): TensorInfo[] {
  const { axis, shape } = concatShape(inputs, attrs.axis);
  const first = inputs[0]!;
  const outer = sizeOf(first.shape.slice(0, axis));
  const inner = sizeOf(first.shape.slice(axis + 1));
  const outId = backend.allocateUninit(sizeOf(shape), first.dtype);
  const out = backend.values(outId);
  const outRow = shape[axis]! * inner;
  let at = 0;
  for (const t of inputs) {
    const v = backend.values(t.dataId);
    const row = t.shape[axis]! * inner;
    for (let o = 0; o < outer; o++) out.set(v.subarray(o * row, (o + 1) * row), o * outRow + at);
    at += row;
  }
  return [{ dataId: outId, shape, dtype: first.dtype }];
}

export function sliceKernel({ inputs, attrs, backend }: KernelArgs<SliceAttrs, CpuBackend>): TensorInfo[] {
  const x = inputs[0]!;
  const { begin, size } = attrs;
  checkSlice(x, begin, size);
  const st = stridesOf(x.shape);
  const base = begin.reduce((s, b, i) => s + b * st[i]!, 0);
  const xv = backend.values(x.dataId);
  const outId = backend.allocateUninit(sizeOf(size), x.dtype);
  const out = backend.values(outId);
  walkRows(size, stridesOf(size), st, st, (o, xi, _u, n) => out.set(xv.subarray(base + xi, base + xi + n), o));
  return [{ dataId: outId, shape: [...size], dtype: x.dtype }];
}

export function padKernel({ inputs, attrs, backend }: KernelArgs<PadAttrs, CpuBackend>): TensorInfo[] {
  const x = inputs[0]!;
  const { paddings } = attrs;
  const shape = padShape(x, paddings);
  const st = stridesOf(shape);
  const base = paddings.reduce((s, [b], i) => s + b * st[i]!, 0);
  const xv = backend.values(x.dataId);
  const outId = backend.allocate(sizeOf(shape), x.dtype);
  const out = backend.values(outId);
  walkRows(x.shape, st, stridesOf(x.shape), st, (o, xi, _u, n) => out.set(xv.subarray(xi, xi + n), base + o));
  return [{ dataId: outId, shape, dtype: x.dtype }];
}

export function castKernel({ inputs, attrs, backend }: KernelArgs<CastAttrs, CpuBackend>): TensorInfo[] {
  const x = inputs[0]!;
  const xv = backend.values(x.dataId);
  const outId = backend.allocateUninit(xv.length, attrs.dtype);
  const out = backend.values(outId);
  if (attrs.dtype === "int32") for (let i = 0; i < xv.length; i++) out[i] = Math.trunc(xv[i]!);
  else out.set(xv);
  return [{ dataId: outId, shape: x.shape, dtype: attrs.dtype }];
}

/** Writes inputs[1] into inputs[0]'s storage in place; returns nothing. */
export function assignKernel({ inputs, backend }: KernelArgs<unknown, CpuBackend>): TensorInfo[] {
  const [dst, src] = inputs as [TensorInfo, TensorInfo];
  checkAssign(dst, src);
  backend.values(dst.dataId).set(backend.values(src.dataId));
  return [];
}
