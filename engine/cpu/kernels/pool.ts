import type { TensorInfo } from "../../backend.js";
import type { PoolAttrs, PoolGradAttrs } from "../../kernel_names.js";
import type { KernelArgs } from "../../kernel_registry.js";
import { poolGeometry, type PoolGeometry } from "../../pool_geometry.js";
import type { CpuBackend } from "../backend_cpu.js";
import { team } from "../wasm/team.js";
import { wasm } from "../wasm/module.js";
import { HeapOperands } from "./heap_operands.js";

/** Visits each output cell with its clipped window [y0, y1) x [x0, x1). */
function forEachWindow(g: PoolGeometry, fn: (plane: number, o: number, y0: number, y1: number, x0: number, x1: number) => void): void {
  for (let p = 0; p < g.planes; p++) {
    for (let i = 0; i < g.oh; i++) {
      const ys = i * g.sh - g.ph, y0 = Math.max(0, ys), y1 = Math.min(g.h, ys + g.kh);
      for (let j = 0; j < g.ow; j++) {
        const xs = j * g.sw - g.pw, x0 = Math.max(0, xs), x1 = Math.min(g.w, xs + g.kw);
        fn(p, (p * g.oh + i) * g.ow + j, y0, y1, x0, x1);
      }
    }
  }
}

/**
 * Average pooling and its gradient as WebAssembly tasks over blocks of
 * planes: separable f32 box sums with stride 1 (engine/cpu/wasm/assembly/pool.ts),
 * else window sums in f64. `src` is x or dy,
 * the output y or dx.
 */
function avgPool(backend: CpuBackend, g: PoolGeometry, src: TensorInfo, countIncludePad: boolean, backward: boolean): TensorInfo["dataId"] {
  const ops = new HeapOperands(backend);
  try {
    const out = ops.output(g.planes * (backward ? g.h * g.w : g.oh * g.ow));
    const per = Math.max(1, Math.ceil(g.planes / (4 * team.threads)));
    if (g.sh === 1 && g.sw === 1) {
      team.run("avgPoolStride1Task", [ops.ptr(src), out.ptr, backward ? 1 : 0, g.planes, g.h, g.w, g.oh, g.ow, g.kh, g.kw, g.ph, g.pw,
        countIncludePad ? 1 : 0, per], Math.ceil(g.planes / per), wasm.fn.avgPoolStride1Scratch(g.h, g.w, g.oh, g.ow), 2 * g.planes * g.oh * g.ow * (g.kh + g.kw));
      return out.data;
    }
    team.run("avgPoolTask", [ops.ptr(src), out.ptr, backward ? 1 : 0, g.planes, g.h, g.w, g.oh, g.ow, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw,
      countIncludePad ? 1 : 0, per], Math.ceil(g.planes / per), 0, 2 * g.planes * g.oh * g.ow * g.kh * g.kw);
    return out.data;
  } finally {
    ops.release();
  }
}

export function avgPoolKernel({ inputs, attrs, backend }: KernelArgs<PoolAttrs, CpuBackend>): TensorInfo[] {
  const x = inputs[0]!;
  const g = poolGeometry("AvgPool", x.shape, attrs);
  return [{ dataId: avgPool(backend, g, x, attrs.countIncludePad === true, false), shape: [x.shape[0]!, x.shape[1]!, g.oh, g.ow], dtype: "float32" }];
}

export function avgPoolGradKernel({ inputs, attrs, backend }: KernelArgs<PoolGradAttrs, CpuBackend>): TensorInfo[] {
  const g = poolGeometry("AvgPoolGrad", attrs.xShape, attrs);
  return [{ dataId: avgPool(backend, g, inputs[0]!, attrs.countIncludePad === true, true), shape: [...attrs.xShape], dtype: "float32" }];
}

/** Outputs the maxima and, for the gradient, the in-plane index of each (the first on ties). */
export function maxPoolKernel({ inputs, attrs, backend }: KernelArgs<PoolAttrs, CpuBackend>): TensorInfo[] {
  const x = inputs[0]!;
  const g = poolGeometry("MaxPool", x.shape, attrs);
  const xv = backend.f32(x.dataId);
  const size = g.planes * g.oh * g.ow;
  const outId = backend.allocateUninit(size, "float32"), argId = backend.allocateUninit(size, "int32");
  const out = backend.f32(outId), arg = backend.i32(argId);
  forEachWindow(g, (p, o, y0, y1, x0, x1) => {
    let best = -Infinity, at = y0 * g.w + x0;
    for (let y = y0; y < y1; y++) {
      for (let xx = x0; xx < x1; xx++) {
        const v = xv[(p * g.h + y) * g.w + xx]!;
        if (v > best) { best = v; at = y * g.w + xx; }
      }
    }
    out[o] = best;
    arg[o] = at;
  });
  const shape = [x.shape[0]!, x.shape[1]!, g.oh, g.ow];
  return [{ dataId: outId, shape, dtype: "float32" }, { dataId: argId, shape, dtype: "int32" }];
}

/** Inputs [dy, argmax]. */
export function maxPoolGradKernel({ inputs, attrs, backend }: KernelArgs<PoolGradAttrs, CpuBackend>): TensorInfo[] {
  const [dy, arg] = inputs as [TensorInfo, TensorInfo];
  const g = poolGeometry("MaxPoolGrad", attrs.xShape, attrs);
  const dyv = backend.f32(dy.dataId), av = backend.i32(arg.dataId);
  const outId = backend.allocate(g.planes * g.h * g.w, "float32");
  const dx = backend.f32(outId);
  const per = g.oh * g.ow, plane = g.h * g.w;
  for (let o = 0; o < dyv.length; o++) dx[Math.floor(o / per) * plane + av[o]!] += dyv[o]!;
  return [{ dataId: outId, shape: [...attrs.xShape], dtype: "float32" }];
}
