import type { TensorInfo } from "../../backend.js";
import { OpError, fmtShape } from "../../errors.js";
import type { ArgMaxAttrs, BroadcastToAttrs, ReduceAttrs } from "../../kernel_names.js";
import type { KernelArgs } from "../../kernel_registry.js";
import { checkBroadcastTo } from "../../op_checks.js";
import { broadcastStrides, normalizeAxes, sizeOf, stridesOf } from "../../shape.js";
import type { CpuBackend } from "../backend_cpu.js";
import { walkRows } from "./strided.js";

/** Sum (or mean) over axes, accumulated in float64. */
export function reduceKernel(op: "Sum" | "Mean") {
  return ({ inputs, attrs, backend }: KernelArgs<ReduceAttrs, CpuBackend>): TensorInfo[] => {
    const x = inputs[0]!;
    if (x.dtype !== "float32") throw new OpError(op, "a float32 input", `${x.dtype} of shape ${fmtShape(x.shape)}`);
    const axes = normalizeAxes(op, attrs.axes, x.shape.length);
    const kept = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
    const xv = backend.f32(x.dataId);
    const acc = new Float64Array(sizeOf(kept));
    walkRows(x.shape, stridesOf(x.shape), broadcastStrides(kept, x.shape), stridesOf(x.shape), (xi, oi, _u, n, sx, so) => {
      if (so === 0) {
        let s = 0;
        for (let i = 0; i < n; i++) s += xv[xi + i * sx]!;
        acc[oi] += s;
      } else {
        for (let i = 0; i < n; i++) acc[oi + i * so] += xv[xi + i * sx]!;
      }
    });
    const count = op === "Mean" ? axes.reduce((p, a) => p * x.shape[a]!, 1) : 1;
    const outId = backend.allocateUninit(acc.length, "float32");
    const out = backend.f32(outId);
    for (let i = 0; i < acc.length; i++) out[i] = acc[i]! / count;
    const shape = attrs.keepDims ? kept : x.shape.filter((_, i) => !axes.includes(i));
    return [{ dataId: outId, shape, dtype: "float32" }];
  };
}

/** Repeats a tensor along axes of size 1 (and new leading axes) to a larger shape. */
export function broadcastToKernel({ inputs, attrs, backend }: KernelArgs<BroadcastToAttrs, CpuBackend>): TensorInfo[] {
  const x = inputs[0]!;
  const shape = attrs.shape;
  checkBroadcastTo(x, shape);
  const xv = backend.values(x.dataId);
  const outId = backend.allocateUninit(sizeOf(shape), x.dtype);
  const out = backend.values(outId);
  walkRows(shape, stridesOf(shape), broadcastStrides(x.shape, shape), stridesOf(shape), (o, xi, _u, n, _so, sx) => {
    for (let i = 0; i < n; i++) out[o + i] = xv[xi + i * sx]!;
  });
  return [{ dataId: outId, shape, dtype: x.dtype }];
}

/** Index of the largest value along an axis (the first one on ties), as int32. */
export function argMaxKernel({ inputs, attrs, backend }: KernelArgs<ArgMaxAttrs, CpuBackend>): TensorInfo[] {
  const x = inputs[0]!;
  const [axis] = normalizeAxes("ArgMax", [attrs.axis], x.shape.length) as [number];
  const xv = backend.f32(x.dataId);
  const len = x.shape[axis]!;
  const inner = sizeOf(x.shape.slice(axis + 1));
  const outer = sizeOf(x.shape.slice(0, axis));
  const outId = backend.allocateUninit(outer * inner, "int32");
  const out = backend.i32(outId);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < inner; j++) {
      let best = 0, bestV = -Infinity;
      for (let i = 0; i < len; i++) {
        const v = xv[(o * len + i) * inner + j]!;
        if (v > bestV) { bestV = v; best = i; }
      }
      out[o * inner + j] = best;
    }
  }
  return [{ dataId: outId, shape: x.shape.filter((_, i) => i !== axis), dtype: "int32" }];
}
