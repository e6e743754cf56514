import type { TensorInfo } from "../../backend.js";
import { OpError, fmtShape } from "../../errors.js";
import type { CastAttrs, ConcatAttrs, PadAttrs, SliceAttrs, TransposeAttrs } from "../../kernel_names.js";
import type { KernelArgs } from "../../kernel_registry.js";
import { normalizeAxes, shapesEqual, sizeOf, stridesOf } from "../../shape.js";
import type { CpuBackend } from "../backend_cpu.js";
import { walkRows } from "./strided.js";

export function transposeKernel({ inputs, attrs, backend }: KernelArgs<TransposeAttrs, CpuBackend>): TensorInfo[] {
  const x = inputs[0]!;
  const { perm } = attrs;
  const rank = x.shape.length;
  if (perm.length !== rank || normalizeAxes("Transpose", perm, rank).some((a, i) => a !== i)) {
    throw new OpError("Transpose", `a permutation of ${rank} axes`, `[${perm.join(", ")}]`);
  }
  const inStrides = stridesOf(x.shape);
  const shape = perm.map((p) => x.shape[p]!);
  const xv = backend.values(x.dataId);
  const outId = backend.allocate(sizeOf(shape), x.dtype);
  const out = backend.values(outId);
  walkRows(shape, stridesOf(shape), perm.map((p) => inStrides[p]!), stridesOf(shape), (o, xi, _u, n, _so, sx) => {
    for (let i = 0; i < n; i++) out[o + i] = xv[xi + i * sx]!;
  });
  return [{ dataId: outId, shape, dtype: x.dtype }];
}

export function concatKernel({ inputs, attrs, backend }: KernelArgs<ConcatAttrs, CpuBackend>): TensorInfo[] {
  const first = inputs[0];
  if (first === undefined) throw new OpError("Concat", "at least one tensor", "none");
  const [axis] = normalizeAxes("Concat", [attrs.axis], first.shape.length) as [number];
  for (const t of inputs) {
    const same = t.dtype === first.dtype && t.shape.length === first.shape.length && t.shape.every((d, i) => i === axis || d === first.shape[i]);
    if (!same) throw new OpError("Concat", `${first.dtype} tensors matching ${fmtShape(first.shape)} except on axis ${axis}`, `${t.dtype} ${fmtShape(t.shape)}`);
  }
  const shape = [...first.shape];
  shape[axis] = inputs.reduce((s, t) => s + t.shape[axis]!, 0);
  const outer = sizeOf(first.shape.slice(0, axis));
  const inner = sizeOf(first.shape.slice(axis + 1));
  const outId = backend.allocate(sizeOf(shape), first.dtype);
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
  const ok = begin.length === x.shape.length && size.length === x.shape.length &&
    begin.every((b, i) => b >= 0 && size[i]! >= 0 && b + size[i]! <= x.shape[i]!);
  if (!ok) throw new OpError("Slice", `begin and size within ${fmtShape(x.shape)}`, `begin [${begin.join(", ")}], size [${size.join(", ")}]`);
  const st = stridesOf(x.shape);
  const base = begin.reduce((s, b, i) => s + b * st[i]!, 0);
  const xv = backend.values(x.dataId);
  const outId = backend.allocate(sizeOf(size), x.dtype);
  const out = backend.values(outId);
  walkRows(size, stridesOf(size), st, st, (o, xi, _u, n) => out.set(xv.subarray(base + xi, base + xi + n), o));
  return [{ dataId: outId, shape: [...size], dtype: x.dtype }];
}

export function padKernel({ inputs, attrs, backend }: KernelArgs<PadAttrs, CpuBackend>): TensorInfo[] {
  const x = inputs[0]!;
  const { paddings } = attrs;
  if (paddings.length !== x.shape.length || paddings.some(([a, b]) => a < 0 || b < 0)) {
    throw new OpError("Pad", `${x.shape.length} non-negative [before, after] pairs`, JSON.stringify(paddings));
  }
  const shape = x.shape.map((d, i) => d + paddings[i]![0] + paddings[i]![1]);
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
  const outId = backend.allocate(xv.length, attrs.dtype);
  const out = backend.values(outId);
  if (attrs.dtype === "int32") for (let i = 0; i < xv.length; i++) out[i] = Math.trunc(xv[i]!);
  else out.set(xv);
  return [{ dataId: outId, shape: x.shape, dtype: attrs.dtype }];
}

/** Writes inputs[1] into inputs[0]'s storage in place; returns nothing. */
export function assignKernel({ inputs, backend }: KernelArgs<unknown, CpuBackend>): TensorInfo[] {
  const [dst, src] = inputs as [TensorInfo, TensorInfo];
  if (dst.dtype !== src.dtype || !shapesEqual(dst.shape, src.shape)) {
    throw new OpError("Assign", `a ${dst.dtype} value of shape ${fmtShape(dst.shape)}`, `${src.dtype} ${fmtShape(src.shape)}`);
  }
  backend.values(dst.dataId).set(backend.values(src.dataId));
  return [];
}
