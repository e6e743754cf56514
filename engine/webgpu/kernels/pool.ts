import type { TensorInfo } from "../../backend.js";
import type { PoolAttrs, PoolGradAttrs } from "../../kernel_names.js";
import type { KernelArgs } from "../../kernel_registry.js";
import { poolGeometry, type PoolGeometry } from "../../pool_geometry.js";
import type { GpuData, WebGpuBackend } from "../backend_webgpu.js";
import { PRELUDE, groupsFor, perElement, storage } from "../wgsl.js";

// Uniforms: 0 count, 1 h, 2 w, 3 oh, 4 ow, 5 kh, 6 kw, 7 sh, 8 sw, 9 ph, 10 pw, 11 countIncludePad.
const uniformsOf = (g: PoolGeometry, count: number, includePad = false) =>
  [count, g.h, g.w, g.oh, g.ow, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, includePad ? 1 : 0];

/** Window of output cell (oy, ox), clipped to the image: y0, y1, x0, x1. */
const WINDOW = /* wgsl */ `
fn window(oy: u32, ox: u32) -> vec4<i32> {
  let ys = i32(oy * P(7u)) - i32(P(9u));
  let xs = i32(ox * P(8u)) - i32(P(10u));
  return vec4<i32>(max(ys, 0), min(ys + i32(P(5u)), i32(P(1u))), max(xs, 0), min(xs + i32(P(6u)), i32(P(2u))));
}
fn divisor(win: vec4<i32>) -> f32 {
  if (P(11u) == 1u) { return f32(P(5u) * P(6u)); }
  return f32((win.y - win.x) * (win.w - win.z));
}`;

const head = (bindings: string) => `${PRELUDE}
${bindings}
${WINDOW}
${perElement()}
  let h = P(1u);
  let w = P(2u);
  let oh = P(3u);
  let ow = P(4u);`;

const AVG_POOL = {
  key: "avgPool",
  code: () => `${head(`${storage(1, "x", "f32")}\n${storage(2, "out", "f32", true)}`)}
  let p = i / (oh * ow);
  let win = window((i / ow) % oh, i % ow);
  var s = 0.0;
  for (var y = win.x; y < win.y; y++) { for (var xx = win.z; xx < win.w; xx++) { s += x[(p * h + u32(y)) * w + u32(xx)]; } }
  out[i] = s / divisor(win);
}`,
};

const MAX_POOL = {
  key: "maxPool",
  code: () => `${head(`${storage(1, "x", "f32")}\n${storage(2, "out", "f32", true)}\n${storage(3, "arg", "i32", true)}`)}
  let p = i / (oh * ow);
  let win = window((i / ow) % oh, i % ow);
  var at = win.x * i32(w) + win.z;
  var best = x[p * h * w + u32(at)];
  for (var y = win.x; y < win.y; y++) {
    for (var xx = win.z; xx < win.w; xx++) {
      let v = x[(p * h + u32(y)) * w + u32(xx)];
      if (v > best) { best = v; at = y * i32(w) + xx; }
    }
  }
  out[i] = best;
  arg[i] = at;
}`,
};

/**
 * Gradients gather rather than scatter (no float atomics in WGSL): each
 * input cell sums over the output cells whose window holds it, the range
 * [ceil((y + ph - kh + 1) / sh), floor((y + ph) / sh)] clipped to the output.
 */
const GRAD_RANGE = /* wgsl */ `
  let p = i / (h * w);
  let y = (i / w) % h;
  let xc = i % w;
  let oy0 = max(i32(y + P(9u)) - i32(P(5u)) + i32(P(7u)), 0) / i32(P(7u));
  let oy1 = min(i32((y + P(9u)) / P(7u)), i32(oh) - 1);
  let ox0 = max(i32(xc + P(10u)) - i32(P(6u)) + i32(P(8u)), 0) / i32(P(8u));
  let ox1 = min(i32((xc + P(10u)) / P(8u)), i32(ow) - 1);
  var s = 0.0;`;

const AVG_POOL_GRAD = {
  key: "avgPoolGrad",
  code: () => `${head(`${storage(1, "dy", "f32")}\n${storage(2, "dx", "f32", true)}`)}
${GRAD_RANGE}
  for (var oy = oy0; oy <= oy1; oy++) {
    for (var ox = ox0; ox <= ox1; ox++) {
      s += dy[(p * oh + u32(oy)) * ow + u32(ox)] / divisor(window(u32(oy), u32(ox)));
    }
  }
  dx[i] = s;
}`,
};

const MAX_POOL_GRAD = {
  key: "maxPoolGrad",
  code: () => `${head(`${storage(1, "dy", "f32")}\n${storage(2, "arg", "i32")}\n${storage(3, "dx", "f32", true)}`)}
${GRAD_RANGE}
  let here = i32(y * w + xc);
  for (var oy = oy0; oy <= oy1; oy++) {
    for (var ox = ox0; ox <= ox1; ox++) {
      let o = (p * oh + u32(oy)) * ow + u32(ox);
      if (arg[o] == here) { s += dy[o]; }
    }
  }
  dx[i] = s;
}`,
};

export function avgPoolKernel({ inputs, attrs, backend }: KernelArgs<PoolAttrs, WebGpuBackend>): TensorInfo[] {
  const x = inputs[0]!;
  const g = poolGeometry("AvgPool", x.shape, attrs);
  const n = g.planes * g.oh * g.ow;
  const out = backend.output(n, "float32");
  backend.dispatch(AVG_POOL, [x.dataId as GpuData, out], uniformsOf(g, n, attrs.countIncludePad), groupsFor(n));
  return [{ dataId: out, shape: [x.shape[0]!, x.shape[1]!, g.oh, g.ow], dtype: "float32" }];
}

export function avgPoolGradKernel({ inputs, attrs, backend }: KernelArgs<PoolGradAttrs, WebGpuBackend>): TensorInfo[] {
  const dy = inputs[0]!;
  const g = poolGeometry("AvgPoolGrad", attrs.xShape, attrs);
  const n = g.planes * g.h * g.w;
  const out = backend.output(n, "float32");
  backend.dispatch(AVG_POOL_GRAD, [dy.dataId as GpuData, out], uniformsOf(g, n, attrs.countIncludePad), groupsFor(n));
  return [{ dataId: out, shape: [...attrs.xShape], dtype: "float32" }];
}

/** Outputs the maxima and, for the gradient, the in-plane index of each (the first on ties). */
export function maxPoolKernel({ inputs, attrs, backend }: KernelArgs<PoolAttrs, WebGpuBackend>): TensorInfo[] {
  const x = inputs[0]!;
  const g = poolGeometry("MaxPool", x.shape, attrs);
  const n = g.planes * g.oh * g.ow;
  const out = backend.output(n, "float32"), arg = backend.output(n, "int32");
  backend.dispatch(MAX_POOL, [x.dataId as GpuData, out, arg], uniformsOf(g, n), groupsFor(n));
  const shape = [x.shape[0]!, x.shape[1]!, g.oh, g.ow];
  return [{ dataId: out, shape, dtype: "float32" }, { dataId: arg, shape, dtype: "int32" }];
}

/** Inputs [dy, argmax]. */
export function maxPoolGradKernel({ inputs, attrs, backend }: KernelArgs<PoolGradAttrs, WebGpuBackend>): TensorInfo[] {
  const [dy, arg] = inputs as [TensorInfo, TensorInfo];
  const g = poolGeometry("MaxPoolGrad", attrs.xShape, attrs);
  const n = g.planes * g.h * g.w;
  const out = backend.output(n, "float32");
  backend.dispatch(MAX_POOL_GRAD, [dy.dataId as GpuData, arg.dataId as GpuData, out], uniformsOf(g, n), groupsFor(n));
  return [{ dataId: out, shape: [...attrs.xShape], dtype: "float32" }];
}
