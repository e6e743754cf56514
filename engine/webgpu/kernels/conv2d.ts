import type { TensorInfo } from "../../backend.js";
import { convGeometry, isDepthwise, isPointwise, type ConvGeometry } from "../../conv_geometry.js";
import { OpError, fmtShape } from "../../errors.js";
import type { Conv2DAttrs, Conv2DBackpropFilterAttrs, Conv2DBackpropInputAttrs } from "../../kernel_names.js";
import type { KernelArgs } from "../../kernel_registry.js";
import type { GpuData, WebGpuBackend } from "../backend_webgpu.js";
import { PRELUDE, checkFloat, groupsFor, perElement, storage } from "../wgsl.js";
import { STRIDED, autoGemmPath, runGemm, splitsFor, stridedAddressing, stridedOperands, type GemmOperands } from "./gemm.js";

// Convolution (NCHW) as implicit GEMM: the im2col matrix is never stored;
// the GEMM's loaders compute each element's source from the geometry in
// uniform words 8..22. z is the group. 1x1 stride-1 unpadded convolutions
// take the strided matmul instead (no index arithmetic), depthwise ones a
// direct kernel; `backend.paths.conv = "implicit"` forces implicit GEMM for all.

const geometryWords = (g: ConvGeometry) => [g.n, g.c, g.h, g.w, g.cout, g.cinG, g.coutG, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, g.oh, g.ow];

const GEOMETRY = /* wgsl */ `
fn gN() -> u32 { return P(8u); }   fn gC() -> u32 { return P(9u); }    fn gH() -> u32 { return P(10u); }
fn gW() -> u32 { return P(11u); }  fn gCout() -> u32 { return P(12u); } fn gCinG() -> u32 { return P(13u); }
fn gCoutG() -> u32 { return P(14u); } fn gKh() -> u32 { return P(15u); } fn gKw() -> u32 { return P(16u); }
fn gSh() -> u32 { return P(17u); } fn gSw() -> u32 { return P(18u); }  fn gPh() -> u32 { return P(19u); }
fn gPw() -> u32 { return P(20u); } fn gOh() -> u32 { return P(21u); }  fn gOw() -> u32 { return P(22u); }
// Element (row = (ci, ky, kx), col = (b, oy, ox)) of group z's im2col matrix of the input, bound as B.
fn im2col(z: u32, row: u32, col: u32) -> f32 {
  let ohw = gOh() * gOw();
  let b = col / ohw;
  let p = col % ohw;
  let khw = gKh() * gKw();
  let ci = row / khw;
  let r = row % khw;
  let iy = i32((p / gOw()) * gSh() + r / gKw()) - i32(gPh());
  let ix = i32((p % gOw()) * gSw() + r % gKw()) - i32(gPw());
  if (iy < 0 || ix < 0 || iy >= i32(gH()) || ix >= i32(gW())) { return 0.0; }
  return B[((b * gC() + z * gCinG() + ci) * gH() + u32(iy)) * gW() + u32(ix)];
}`;

const FORWARD: GemmOperands = {
  name: "convForward",
  wgsl: `${GEOMETRY}
fn loadA(z: u32, m: u32, k: u32) -> f32 { return A[(z * gCoutG() + m) * gCinG() * gKh() * gKw() + k]; }
fn loadB(z: u32, k: u32, n: u32) -> f32 { return im2col(z, k, n); }
fn storeC(z: u32, m: u32, n: u32, v: f32) {
  let ohw = gOh() * gOw();
  C[((n / ohw) * gCout() + z * gCoutG() + m) * ohw + n % ohw] = v;
}`,
};

/** dX (rows ci of group z, columns (b, y, x)) = W^T dY: each dY tap that lands on (y, x) through stride and padding. */
const BACKPROP_INPUT: GemmOperands = {
  name: "convBackpropInput",
  wgsl: `${GEOMETRY}
fn loadA(z: u32, m: u32, k: u32) -> f32 {
  let khw = gKh() * gKw();
  return A[((z * gCoutG() + k / khw) * gCinG() + m) * khw + k % khw];
}
fn loadB(z: u32, k: u32, n: u32) -> f32 {
  let hw = gH() * gW();
  let b = n / hw;
  let p = n % hw;
  let khw = gKh() * gKw();
  let co = k / khw;
  let r = k % khw;
  let ty = i32(p / gW() + gPh()) - i32(r / gKw());
  let tx = i32(p % gW() + gPw()) - i32(r % gKw());
  if (ty < 0 || tx < 0 || u32(ty) % gSh() != 0u || u32(tx) % gSw() != 0u) { return 0.0; }
  let oy = u32(ty) / gSh();
  let ox = u32(tx) / gSw();
  if (oy >= gOh() || ox >= gOw()) { return 0.0; }
  return B[((b * gCout() + z * gCoutG() + co) * gOh() + oy) * gOw() + ox];
}
fn storeC(z: u32, m: u32, n: u32, v: f32) {
  let hw = gH() * gW();
  C[((n / hw) * gC() + z * gCinG() + m) * hw + n % hw] = v;
}`,
};

/** dW (rows co, columns (ci, ky, kx)) = dY im2col(X)^T, the sum running over (b, oy, ox). */
const BACKPROP_FILTER: GemmOperands = {
  name: "convBackpropFilter",
  wgsl: `${GEOMETRY}
fn loadA(z: u32, m: u32, k: u32) -> f32 {
  let ohw = gOh() * gOw();
  return A[((k / ohw) * gCout() + z * gCoutG() + m) * ohw + k % ohw];
}
fn loadB(z: u32, k: u32, n: u32) -> f32 { return im2col(z, n, k); }
fn storeC(z: u32, m: u32, n: u32, v: f32) { C[(z * gCoutG() + m) * gCinG() * gKh() * gKw() + n] = v; }`,
};

type ConvPath = "pointwise" | "depthwise" | "implicit";

function convPath(backend: WebGpuBackend, g: ConvGeometry): ConvPath {
  if (backend.paths.conv === "implicit") return "implicit";
  return isPointwise(g) ? "pointwise" : isDepthwise(g) ? "depthwise" : "implicit";
}

function gemmPath(backend: WebGpuBackend, m: number, n: number, batch: number) {
  return backend.paths.matmul === "auto" ? autoGemmPath(m, n, batch) : backend.paths.matmul;
}

// --- depthwise: one filter per channel, no reduction across channels ---------

const DEPTHWISE_HEAD = `${PRELUDE}
${GEOMETRY.slice(0, GEOMETRY.indexOf("// Element"))}`;

const elementMain = (body: string) => `${perElement()}
  ${body}
}`;

const DEPTHWISE_FORWARD = {
  key: "depthwiseForward",
  code: () => `${DEPTHWISE_HEAD}
${storage(1, "x", "f32")}
${storage(2, "wt", "f32")}
${storage(3, "y", "f32", true)}
${elementMain(`let ox = i % gOw();
  let oy = (i / gOw()) % gOh();
  let plane = i / (gOw() * gOh());
  let ch = plane % gC();
  var s = 0.0;
  for (var ky = 0u; ky < gKh(); ky++) {
    let iy = i32(oy * gSh() + ky) - i32(gPh());
    if (iy < 0 || iy >= i32(gH())) { continue; }
    for (var kx = 0u; kx < gKw(); kx++) {
      let ix = i32(ox * gSw() + kx) - i32(gPw());
      if (ix < 0 || ix >= i32(gW())) { continue; }
      s = fma(x[(plane * gH() + u32(iy)) * gW() + u32(ix)], wt[(ch * gKh() + ky) * gKw() + kx], s);
    }
  }
  y[i] = s;`)}`,
};

const DEPTHWISE_BACKPROP_INPUT = {
  key: "depthwiseBackpropInput",
  code: () => `${DEPTHWISE_HEAD}
${storage(1, "dy", "f32")}
${storage(2, "wt", "f32")}
${storage(3, "dx", "f32", true)}
${elementMain(`let xx = i % gW();
  let yy = (i / gW()) % gH();
  let plane = i / (gW() * gH());
  let ch = plane % gC();
  var s = 0.0;
  for (var ky = 0u; ky < gKh(); ky++) {
    let ty = i32(yy + gPh()) - i32(ky);
    if (ty < 0 || u32(ty) % gSh() != 0u || u32(ty) / gSh() >= gOh()) { continue; }
    for (var kx = 0u; kx < gKw(); kx++) {
      let tx = i32(xx + gPw()) - i32(kx);
      if (tx < 0 || u32(tx) % gSw() != 0u || u32(tx) / gSw() >= gOw()) { continue; }
      s = fma(dy[(plane * gOh() + u32(ty) / gSh()) * gOw() + u32(tx) / gSw()], wt[(ch * gKh() + ky) * gKw() + kx], s);
    }
  }
  dx[i] = s;`)}`,
};

const DW_WG = 256;

/** One workgroup per filter tap (ch, ky, kx), reducing over (b, oy, ox). */
const DEPTHWISE_BACKPROP_FILTER = {
  key: "depthwiseBackpropFilter",
  code: () => `${DEPTHWISE_HEAD}
${storage(1, "x", "f32")}
${storage(2, "dy", "f32")}
${storage(3, "dw", "f32", true)}
var<workgroup> part: array<f32, ${DW_WG}>;
@compute @workgroup_size(${DW_WG}) fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let t = groupIndex(wid, nwg);
  let khw = gKh() * gKw();
  let ch = t / khw;
  let ky = (t % khw) / gKw();
  let kx = t % gKw();
  let ohw = gOh() * gOw();
  var s = 0.0;
  for (var j = lid; j < gN() * ohw; j += ${DW_WG}u) {
    let b = j / ohw;
    let oy = (j % ohw) / gOw();
    let ox = j % gOw();
    let iy = i32(oy * gSh() + ky) - i32(gPh());
    let ix = i32(ox * gSw() + kx) - i32(gPw());
    if (iy >= 0 && ix >= 0 && iy < i32(gH()) && ix < i32(gW())) {
      let plane = b * gC() + ch;
      s = fma(dy[(plane * gOh() + oy) * gOw() + ox], x[(plane * gH() + u32(iy)) * gW() + u32(ix)], s);
    }
  }
  part[lid] = s;
  workgroupBarrier();
  for (var h = ${DW_WG / 2}u; h > 0u; h >>= 1u) {
    if (lid < h) { part[lid] += part[lid + h]; }
    workgroupBarrier();
  }
  if (lid == 0u) { dw[t] = part[0]; }
}`,
};

// --- kernels -------------------------------------------------------------------

const words = (count: number, g: ConvGeometry) => [count, 0, 0, 0, 0, 0, 0, 0, ...geometryWords(g)];

export function conv2dKernel({ inputs, attrs, backend }: KernelArgs<Conv2DAttrs, WebGpuBackend>): TensorInfo[] {
  const [x, w] = inputs as [TensorInfo, TensorInfo];
  checkFloat("Conv2D", x.dtype, w.dtype);
  const g = convGeometry("Conv2D", x.shape, w.shape, attrs);
  const out = backend.output(g.n * g.cout * g.p, "float32");
  const bufs: [GpuData, GpuData, GpuData] = [w.dataId as GpuData, x.dataId as GpuData, out];
  const path = convPath(backend, g);
  if (path === "depthwise") {
    backend.dispatch(DEPTHWISE_FORWARD, [x.dataId as GpuData, w.dataId as GpuData, out], words(g.n * g.cout * g.p, g), groupsFor(g.n * g.cout * g.p));
  } else if (path === "pointwise") {
    // per (image, group): Y [coutG, hw] = W_g [coutG, cinG] X [cinG, hw]
    const hw = g.h * g.w;
    const a = { outer: 0, inner: g.coutG * g.cinG, s0: g.cinG, s1: 1 }, b = { outer: g.c * hw, inner: g.cinG * hw, s0: hw, s1: 1 };
    runGemm(backend, stridedOperands(g.cinG, hw, a, b), gemmPath(backend, g.coutG, hw, g.n * g.groups), { m: g.coutG, n: hw, k: g.cinG, batch: g.n * g.groups }, bufs,
      stridedAddressing(g.groups, a, b, { outer: g.cout * hw, inner: g.coutG * hw, s0: hw, s1: 1 }));
  } else {
    runGemm(backend, FORWARD, gemmPath(backend, g.coutG, g.n * g.p, g.groups), { m: g.coutG, n: g.n * g.p, k: g.kg, batch: g.groups }, bufs, geometryWords(g));
  }
  return [{ dataId: out, shape: [g.n, g.cout, g.oh, g.ow], dtype: "float32" }];
}

export function conv2dBackpropInputKernel({ inputs, attrs, backend }: KernelArgs<Conv2DBackpropInputAttrs, WebGpuBackend>): TensorInfo[] {
  const [dy, w] = inputs as [TensorInfo, TensorInfo];
  checkFloat("Conv2DBackpropInput", dy.dtype, w.dtype);
  const g = convGeometry("Conv2DBackpropInput", attrs.xShape, w.shape, attrs);
  const expected = [g.n, g.cout, g.oh, g.ow];
  if (dy.shape.join() !== expected.join()) throw new OpError("Conv2DBackpropInput", `dy of shape ${fmtShape(expected)}`, fmtShape(dy.shape));
  const size = g.n * g.c * g.h * g.w;
  const out = backend.output(size, "float32");
  const bufs: [GpuData, GpuData, GpuData] = [w.dataId as GpuData, dy.dataId as GpuData, out];
  const path = convPath(backend, g);
  if (path === "depthwise") {
    backend.dispatch(DEPTHWISE_BACKPROP_INPUT, [dy.dataId as GpuData, w.dataId as GpuData, out], words(size, g), groupsFor(size));
  } else if (path === "pointwise") {
    // per (image, group): dX [cinG, hw] = W_g^T [cinG, coutG] dY [coutG, hw]
    const hw = g.h * g.w;
    runGemm(backend, STRIDED, gemmPath(backend, g.cinG, hw, g.n * g.groups), { m: g.cinG, n: hw, k: g.coutG, batch: g.n * g.groups }, bufs,
      stridedAddressing(g.groups,
        { outer: 0, inner: g.coutG * g.cinG, s0: 1, s1: g.cinG },
        { outer: g.cout * hw, inner: g.coutG * hw, s0: hw, s1: 1 },
        { outer: g.c * hw, inner: g.cinG * hw, s0: hw, s1: 1 }));
  } else {
    const n = g.n * g.h * g.w;
    runGemm(backend, BACKPROP_INPUT, gemmPath(backend, g.cinG, n, g.groups), { m: g.cinG, n, k: g.coutG * g.kh * g.kw, batch: g.groups }, bufs, geometryWords(g));
  }
  return [{ dataId: out, shape: [...attrs.xShape], dtype: "float32" }];
}

export function conv2dBackpropFilterKernel({ inputs, attrs, backend }: KernelArgs<Conv2DBackpropFilterAttrs, WebGpuBackend>): TensorInfo[] {
  const [x, dy] = inputs as [TensorInfo, TensorInfo];
  checkFloat("Conv2DBackpropFilter", x.dtype, dy.dtype);
  const g = convGeometry("Conv2DBackpropFilter", x.shape, attrs.wShape, attrs);
  const expected = [g.n, g.cout, g.oh, g.ow];
  if (dy.shape.join() !== expected.join()) throw new OpError("Conv2DBackpropFilter", `dy of shape ${fmtShape(expected)}`, fmtShape(dy.shape));
  const size = g.cout * g.kg;
  const out = backend.output(size, "float32");
  if (convPath(backend, g) === "depthwise") {
    backend.dispatch(DEPTHWISE_BACKPROP_FILTER, [x.dataId as GpuData, dy.dataId as GpuData, out], words(size, g), size);
  } else {
    const k = g.n * g.p;
    const splits = splitsFor(g.coutG, g.kg, k, g.groups);
    runGemm(backend, BACKPROP_FILTER, gemmPath(backend, g.coutG, g.kg, g.groups * splits), { m: g.coutG, n: g.kg, k, batch: g.groups },
      [dy.dataId as GpuData, x.dataId as GpuData, out], geometryWords(g), splits);
  }
  return [{ dataId: out, shape: [...attrs.wShape], dtype: "float32" }];
}
