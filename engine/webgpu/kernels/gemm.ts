import type { GpuData, WebGpuBackend } from "../backend_webgpu.js";
import { PRELUDE, groupsFor, perElement, storage } from "../wgsl.js";

/**
 * One GEMM skeleton, C[z] (M x N) = A[z] (M x K) * B[z] (K x N), with the
 * operands' addressing plugged in as WGSL functions: a strided matrix for
 * matmul and 1x1 convolutions, an im2col gather computed on the fly for
 * implicit-GEMM convolutions. Uniforms 0..2 hold M, N, K; the addressing
 * reads its own from word 8 on.
 */
export interface GemmOperands {
  /** Names the addressing in pipeline keys. */
  name: string;
  /** Defines loadA(z, m, k) -> f32, loadB(z, k, n) -> f32 and storeC(z, m, n, v) over bindings A, B, C. */
  wgsl: string;
  /**
   * Set where A and B are bound as vec4 arrays: the WGSL defines
   * loadA4(z, m, k) (k..k+3) and loadB4(z, k, n) (n..n+3) instead, and this
   * names the scalar operands for the paths that load one value at a time.
   */
  scalar?: GemmOperands;
}

export interface GemmTile {
  /** Outputs per thread along M and N, and the depth of one shared-memory step. */
  tm: number; tn: number; bk: number;
}

/** Threads per workgroup side: 16 x 16. */
const T = 16;

export const DEFAULT_TILE: GemmTile = { tm: 4, tn: 4, bk: 16 };

const bindings = (vec4: boolean) => `${storage(1, "A", vec4 ? "vec4<f32>" : "f32")}\n${storage(2, "B", vec4 ? "vec4<f32>" : "f32")}\n${storage(3, "C", "f32", true)}
// Split-K: uniform 3 holds the number of splits S of the K range (1: none),
// 4 the length of each, 5 the batch count. Workgroup z runs batch z / S over
// split z % S; with S > 1 results go to C as partial sums [S, batch, M, N],
// added up afterwards, instead of through storeC.
fn store(z: u32, split: u32, m: u32, n: u32, v: f32) {
  if (P(3u) == 1u) { storeC(z, m, n, v); } else { C[((split * P(5u) + z) * P(0u) + m) * P(1u) + n] = v; }
}`;

const SPLIT_PREAMBLE = `let z = wid.z / P(3u);
  let split = wid.z % P(3u);
  let kBegin = split * P(4u);
  let K = min(P(2u), kBegin + P(4u));`;

/**
 * Shared-memory tiles of (16 tm) x (16 tn) outputs: each step stages a
 * bk-deep slice of A and B (consecutive threads load consecutive k of A and
 * consecutive n of B), then every thread accumulates tm x tn outputs in
 * registers, rows ty + 16 i and columns tx + 16 j so that neighbours touch
 * neighbouring shared words and store neighbouring outputs.
 */
function tiledCode(ops: GemmOperands, { tm, tn, bk }: GemmTile): string {
  const bm = T * tm, bn = T * tn;
  const vec4 = ops.scalar !== undefined;
  const fma: string[] = [];
  for (let i = 0; i < tm; i++) fma.push(`a${i} = As[kk * ${bm}u + ty + ${T * i}u];`);
  for (let j = 0; j < tn; j++) fma.push(`b${j} = Bs[kk * ${bn}u + tx + ${T * j}u];`);
  for (let i = 0; i < tm; i++) for (let j = 0; j < tn; j++) fma.push(`acc[${i * tn + j}] = fma(a${i}, b${j}, acc[${i * tn + j}]);`);
  const regs = [...Array.from({ length: tm }, (_, i) => `a${i}`), ...Array.from({ length: tn }, (_, j) => `b${j}`)];
  // with vec4 operands each thread stages 4 consecutive k of A or n of B per load
  const loadTiles = vec4 ? `
    for (var e = lid; e < ${(bm * bk) / 4}u; e += ${T * T}u) {
      let r = e / ${bk / 4}u;
      let kk = (e % ${bk / 4}u) * 4u;
      var v = vec4<f32>(0.0);
      if (m0 + r < M && k0 + kk < K) { v = loadA4(z, m0 + r, k0 + kk); }
      for (var q = 0u; q < 4u; q++) { As[(kk + q) * ${bm}u + r] = v[q]; }
    }
    for (var e = lid; e < ${(bn * bk) / 4}u; e += ${T * T}u) {
      let kk = e / ${bn / 4}u;
      let c = (e % ${bn / 4}u) * 4u;
      var v = vec4<f32>(0.0);
      if (n0 + c < N && k0 + kk < K) { v = loadB4(z, k0 + kk, n0 + c); }
      for (var q = 0u; q < 4u; q++) { Bs[kk * ${bn}u + c + q] = v[q]; }
    }` : `
    for (var e = lid; e < ${bm * bk}u; e += ${T * T}u) {
      let r = e / ${bk}u;
      let kk = e % ${bk}u;
      var v = 0.0;
      if (m0 + r < M && k0 + kk < K) { v = loadA(z, m0 + r, k0 + kk); }
      As[kk * ${bm}u + r] = v;
    }
    for (var e = lid; e < ${bn * bk}u; e += ${T * T}u) {
      let kk = e / ${bn}u;
      let c = e % ${bn}u;
      var v = 0.0;
      if (n0 + c < N && k0 + kk < K) { v = loadB(z, k0 + kk, n0 + c); }
      Bs[kk * ${bn}u + c] = v;
    }`;
  return `${PRELUDE}
${bindings(vec4)}
${ops.wgsl}
var<workgroup> As: array<f32, ${bk * bm}>;
var<workgroup> Bs: array<f32, ${bk * bn}>;
@compute @workgroup_size(${T}, ${T}) fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) l: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let M = P(0u);
  let N = P(1u);
  ${SPLIT_PREAMBLE}
  let m0 = wid.y * ${bm}u;
  let n0 = wid.x * ${bn}u;
  let tx = l.x;
  let ty = l.y;
  var acc: array<f32, ${tm * tn}>;
  var ${regs.join(": f32;\n  var ")}: f32;
  for (var k0 = kBegin; k0 < K; k0 += ${bk}u) {${loadTiles}
    workgroupBarrier();
    for (var kk = 0u; kk < ${bk}u; kk++) {
      ${fma.join("\n      ")}
    }
    workgroupBarrier();
  }
  for (var i = 0u; i < ${tm}u; i++) {
    for (var j = 0u; j < ${tn}u; j++) {
      let m = m0 + ty + ${T}u * i;
      let n = n0 + tx + ${T}u * j;
      if (m < M && n < N) { store(z, split, m, n, acc[i * ${tn}u + j]); }
    }
  }
}`;
}

/** One output per thread, no shared memory: for small or thin products where tiles would sit mostly idle. */
function directCode(ops: GemmOperands): string {
  return `${PRELUDE}
${bindings(false)}
${ops.wgsl}
@compute @workgroup_size(${T}, ${T}) fn main(@builtin(global_invocation_id) g: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let n = g.x;
  let m = g.y;
  let M = P(0u);
  let N = P(1u);
  ${SPLIT_PREAMBLE}
  if (m >= M || n >= N) { return; }
  var s = 0.0;
  for (var k = kBegin; k < K; k++) { s = fma(loadA(z, m, k), loadB(z, k, n), s); }
  store(z, split, m, n, s);
}`;
}

export type GemmPath = "tiled" | "direct";

/** Tiles pay off once the products (all `batch` of them) fill a few; below that one thread per output wins. */
export function autoGemmPath(m: number, n: number, batch: number): GemmPath {
  return m * n * batch >= 16384 && n >= 32 ? "tiled" : "direct";
}

/**
 * The register tile for an M-row product: thin products (convolutions with
 * 8 or 16 output channels, say) give rows to columns, so a 64-row tile does
 * not sit three quarters idle.
 */
export function tileFor(m: number, base: GemmTile): GemmTile {
  let { tm, tn } = base;
  while (tm > 1 && T * tm > m) {
    tm /= 2;
    tn = Math.min(8, tn * 2);
  }
  return { tm, tn, bk: base.bk };
}

/**
 * Records C = A * B for z = 0..batch-1 with the given addressing and its
 * uniforms (words 8 on). `splits` > 1 cuts the K range into that many
 * slices computed in parallel and summed after: for products with few
 * outputs and a long K (filter gradients), which would otherwise run on a
 * handful of threads. It needs an addressing whose C is contiguous [batch, M, N].
 */
export function runGemm(backend: WebGpuBackend, ops: GemmOperands, path: GemmPath, sizes: { m: number; n: number; k: number; batch: number },
  buffers: [GpuData, GpuData, GpuData], addressing: readonly number[], splits = 1): void {
  const { m, n, k, batch } = sizes;
  const tile = tileFor(m, backend.gemmTile);
  // vec4 loads need the tiled path, a depth of whole vec4s and slices of whole vec4s
  if (ops.scalar !== undefined && (path !== "tiled" || tile.bk % 4 !== 0 || splits > 1)) ops = ops.scalar;
  const chunk = Math.max(1, Math.ceil(k / splits));
  const s = Math.max(1, Math.ceil(k / chunk));
  const partial = s > 1 ? backend.output(s * batch * m * n, "float32") : null;
  const bufs: [GpuData, GpuData, GpuData] = partial === null ? buffers : [buffers[0], buffers[1], partial];
  const uniforms = [m, n, k, s, chunk, batch, 0, 0, ...addressing];
  if (path === "tiled") {
    const key = `gemm:${ops.name}:${tile.tm}x${tile.tn}x${tile.bk}`;
    backend.dispatch({ key, code: () => tiledCode(ops, tile) }, bufs, uniforms, [Math.ceil(n / (T * tile.tn)), Math.ceil(m / (T * tile.tm)), batch * s]);
  } else {
    backend.dispatch({ key: `gemmDirect:${ops.name}`, code: () => directCode(ops) }, bufs, uniforms, [Math.ceil(n / T), Math.ceil(m / T), batch * s]);
  }
  if (partial !== null) {
    const len = batch * m * n;
    backend.dispatch(SUM_SPLITS, [partial, buffers[2]], [len, s], groupsFor(len));
    backend.release(partial);
  }
}

const SUM_SPLITS = {
  key: "gemmSumSplits",
  code: () => `${PRELUDE}
${storage(1, "partial", "f32")}
${storage(2, "out", "f32", true)}
${perElement()}
  let len = P(0u);
  var s = 0.0;
  for (var j = 0u; j < P(1u); j++) { s += partial[j * len + i]; }
  out[i] = s;
}`,
};

/** Splits of K that give a thin product enough parallel work: about 64K partial outputs, slices of at least 256. */
export function splitsFor(m: number, n: number, k: number, batch: number): number {
  return Math.max(1, Math.min(Math.floor(k / 256), Math.ceil(65536 / (m * n * batch))));
}

/**
 * Strided operands with a two-level batch z = (outer, inner) of `inner`
 * count: word 8 the inner count, then per operand its outer and inner batch
 * strides and two element strides (A: m, k; B: k, n; C: m, n).
 */
export const STRIDED: GemmOperands = {
  name: "strided",
  wgsl: /* wgsl */ `
fn batchOffset(z: u32, at: u32) -> u32 { return (z / P(8u)) * P(at) + (z % P(8u)) * P(at + 1u); }
fn loadA(z: u32, m: u32, k: u32) -> f32 { return A[batchOffset(z, 9u) + m * P(11u) + k * P(12u)]; }
fn loadB(z: u32, k: u32, n: u32) -> f32 { return B[batchOffset(z, 13u) + k * P(15u) + n * P(16u)]; }
fn storeC(z: u32, m: u32, n: u32, v: f32) { C[batchOffset(z, 17u) + m * P(19u) + n * P(20u)] = v; }`,
};

/** STRIDED with A read 4 consecutive k at a time and B 4 consecutive n: see `stridedVec4Fits`. */
export const STRIDED_VEC4: GemmOperands = {
  name: "stridedVec4",
  scalar: STRIDED,
  wgsl: /* wgsl */ `
fn batchOffset(z: u32, at: u32) -> u32 { return (z / P(8u)) * P(at) + (z % P(8u)) * P(at + 1u); }
fn loadA4(z: u32, m: u32, k: u32) -> vec4<f32> { return A[(batchOffset(z, 9u) + m * P(11u) + k) / 4u]; }
fn loadB4(z: u32, k: u32, n: u32) -> vec4<f32> { return B[(batchOffset(z, 13u) + k * P(15u) + n) / 4u]; }
fn storeC(z: u32, m: u32, n: u32, v: f32) { C[batchOffset(z, 17u) + m * P(19u) + n * P(20u)] = v; }`,
};

export interface StridedMatrix { outer: number; inner: number; s0: number; s1: number }

/**
 * Whether A (k contiguous) and B (n contiguous) can be read as whole vec4s:
 * K and N multiples of 4, and every other stride and offset too.
 */
export function stridedVec4Fits(k: number, n: number, a: StridedMatrix, b: StridedMatrix): boolean {
  const by4 = (...v: number[]) => v.every((x) => x % 4 === 0);
  return a.s1 === 1 && b.s1 === 1 && by4(k, n, a.outer, a.inner, a.s0, b.outer, b.inner, b.s0);
}

/** STRIDED_VEC4 where the operands allow it, else STRIDED. */
export function stridedOperands(k: number, n: number, a: StridedMatrix, b: StridedMatrix): GemmOperands {
  return stridedVec4Fits(k, n, a, b) ? STRIDED_VEC4 : STRIDED;
}

export function stridedAddressing(innerCount: number, a: StridedMatrix, b: StridedMatrix, c: StridedMatrix): number[] {
  return [innerCount, ...[a, b, c].flatMap((x) => [x.outer, x.inner, x.s0, x.s1])];
}
