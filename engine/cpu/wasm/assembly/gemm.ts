// AssemblyScript: single-precision GEMM, C = A * B (+ C when accumulate), with
// GotoBLAS-style blocking: a KC x N slab of B and an MC x KC block of A are
// packed into contiguous micro-panels, then a 4x8 register-blocked SIMD
// micro-kernel sweeps them. All pointers are byte offsets into this module's
// memory; strides are in elements, so transposed operands need no copy.

import { zeroFloats } from "./floats";
import { madd } from "./madd";
import { roundUp } from "./params";

const MR: i32 = 4;
const NR: i32 = 8;
const KC: i32 = 256;
const MC: i32 = 96;

// Packs rows [i0, i0+mc) x cols [p0, p0+kc) of A into MR-row panels, each
// stored k-major (MR values per k), zero-padding the last panel.
function packA(a: usize, sAi: i32, sAk: i32, i0: i32, mc: i32, p0: i32, kc: i32, dst: usize): void {
  for (let ir: i32 = 0; ir < mc; ir += MR) {
    const rows = min(MR, mc - ir);
    for (let p: i32 = 0; p < kc; p++) {
      const src = a + (<usize>((i0 + ir) * sAi + (p0 + p) * sAk) << 2);
      let r: i32 = 0;
      for (; r < rows; r++) store<f32>(dst + (<usize>r << 2), load<f32>(src + (<usize>(r * sAi) << 2)));
      for (; r < MR; r++) store<f32>(dst + (<usize>r << 2), 0);
      dst += <usize>MR << 2;
    }
  }
}

// Packs rows [p0, p0+kc) x all n cols of B into NR-col panels, k-major.
function packB(b: usize, sBk: i32, sBj: i32, n: i32, p0: i32, kc: i32, dst: usize): void {
  for (let jr: i32 = 0; jr < n; jr += NR) {
    const cols = min(NR, n - jr);
    if (cols == NR && sBj == 1) {
      for (let p: i32 = 0; p < kc; p++) {
        const src = b + (<usize>((p0 + p) * sBk + jr) << 2);
        v128.store(dst, v128.load(src));
        v128.store(dst, v128.load(src, 16), 16);
        dst += <usize>NR << 2;
      }
    } else {
      for (let p: i32 = 0; p < kc; p++) {
        const src = b + (<usize>((p0 + p) * sBk + jr * sBj) << 2);
        let j: i32 = 0;
        for (; j < cols; j++) store<f32>(dst + (<usize>j << 2), load<f32>(src + (<usize>(j * sBj) << 2)));
        for (; j < NR; j++) store<f32>(dst + (<usize>j << 2), 0);
        dst += <usize>NR << 2;
      }
    }
  }
}

// 4x8 micro-kernel: tile = sum_p pa[p] (x) pb[p]; written to c (row stride
// ldc elements), added to what is there when add is set. Four rows, not six:
// V8 hoists a pass's loads to its top, and 8 accumulators with the 4 splats
// and 2 vectors of B fit the 15 vector registers it allocates; 6x8 (12
// accumulators) spilled to the stack inside the loop.
// @ts-ignore: decorator
@inline
function micro(kc: i32, pa: usize, pb: usize, c: usize, ldc: i32, add: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  const end = pb + (<usize>kc << 5);
  while (pb < end) {
    const b0 = v128.load(pb, 0), b1 = v128.load(pb, 16);
    let a = v128.load32_splat(pa, 0); c00 = madd(a, b0, c00); c01 = madd(a, b1, c01);
    a = v128.load32_splat(pa, 4); c10 = madd(a, b0, c10); c11 = madd(a, b1, c11);
    a = v128.load32_splat(pa, 8); c20 = madd(a, b0, c20); c21 = madd(a, b1, c21);
    a = v128.load32_splat(pa, 12); c30 = madd(a, b0, c30); c31 = madd(a, b1, c31);
    pa += 16;
    pb += 32;
  }
  const ld = <usize>ldc << 2;
  if (add) {
    c00 = f32x4.add(c00, v128.load(c)); c01 = f32x4.add(c01, v128.load(c, 16)); c += ld;
    c10 = f32x4.add(c10, v128.load(c)); c11 = f32x4.add(c11, v128.load(c, 16)); c += ld;
    c20 = f32x4.add(c20, v128.load(c)); c21 = f32x4.add(c21, v128.load(c, 16)); c += ld;
    c30 = f32x4.add(c30, v128.load(c)); c31 = f32x4.add(c31, v128.load(c, 16));
    c -= ld * 3;
  }
  v128.store(c, c00); v128.store(c, c01, 16); c += ld;
  v128.store(c, c10); v128.store(c, c11, 16); c += ld;
  v128.store(c, c20); v128.store(c, c21, 16); c += ld;
  v128.store(c, c30); v128.store(c, c31, 16);
}

// The blocked product with C row-major: C[M,N] = A * B (+ C).
function gemmCore(
  m: i32, n: i32, k: i32,
  a: usize, sAi: i32, sAk: i32,
  b: usize, sBk: i32, sBj: i32,
  c: usize, ldc: i32, accumulate: bool, scratch: usize,
): void {
  const pA = scratch;
  const pB = pA + (<usize>(MC * KC) << 2);
  const edge = pB + (<usize>(KC * roundUp(n, NR)) << 2);
  for (let p0: i32 = 0; p0 < k; p0 += KC) {
    const kc = min(KC, k - p0);
    const add = accumulate || p0 > 0;
    packB(b, sBk, sBj, n, p0, kc, pB);
    for (let i0: i32 = 0; i0 < m; i0 += MC) {
      const mc = min(MC, m - i0);
      packA(a, sAi, sAk, i0, mc, p0, kc, pA);
      for (let jr: i32 = 0; jr < n; jr += NR) {
        const cols = min(NR, n - jr);
        const pb = pB + (<usize>(jr * kc) << 2);
        for (let ir: i32 = 0; ir < mc; ir += MR) {
          const rows = min(MR, mc - ir);
          const pa = pA + (<usize>(ir * kc) << 2);
          const cTile = c + (<usize>((i0 + ir) * ldc + jr) << 2);
          if (rows == MR && cols == NR) {
            micro(kc, pa, pb, cTile, ldc, add);
          } else {
            micro(kc, pa, pb, edge, NR, false);
            for (let r: i32 = 0; r < rows; r++) {
              for (let j: i32 = 0; j < cols; j++) {
                const dst = cTile + (<usize>(r * ldc + j) << 2);
                const v = load<f32>(edge + (<usize>(r * NR + j) << 2));
                store<f32>(dst, add ? load<f32>(dst) + v : v);
              }
            }
          }
        }
      }
    }
  }
}

// C[M,N] (row stride ldc) = A * B (+ C when accumulate). A(i,k) is at
// a + 4*(i*sAi + k*sAk); B(k,j) at b + 4*(k*sBk + j*sBj). When the 4x8 tiles
// fit C^T = B^T A^T with at least a fifth less padded work (say 10 rows by
// 4 columns), that product is computed into scratch and transposed into C;
// for less, the scalar transpose costs more than the padding saves (the
// reduction cells' 3x3 stride-2 convolutions, 16 x 196 and 32 x 49 per
// image, ran 1.2-1.5x faster untransposed). scratch must hold
// gemmScratchFloats(m, n) floats.
export function sgemm(
  m: i32, n: i32, k: i32,
  a: usize, sAi: i32, sAk: i32,
  b: usize, sBk: i32, sBj: i32,
  c: usize, ldc: i32, accumulate: bool, scratch: usize,
): void {
  if (k == 0) {
    if (!accumulate) for (let i: i32 = 0; i < m; i++) zeroFloats(c + (<usize>(i * ldc) << 2), n);
    return;
  }
  const direct = <i64>roundUp(m, MR) * <i64>roundUp(n, NR);
  const swapped = <i64>roundUp(n, MR) * <i64>roundUp(m, NR);
  if (swapped * 5 > direct * 4) {
    gemmCore(m, n, k, a, sAi, sAk, b, sBk, sBj, c, ldc, accumulate, scratch);
    return;
  }
  const t = scratch + (<usize>(MC * KC + KC * roundUp(max(m, n), NR) + MR * NR) << 2);
  gemmCore(n, m, k, b, sBj, sBk, a, sAk, sAi, t, m, false, scratch);
  for (let i: i32 = 0; i < m; i++) {
    const row = c + (<usize>(i * ldc) << 2);
    for (let j: i32 = 0; j < n; j++) {
      const v = load<f32>(t + (<usize>(j * m + i) << 2));
      const d = row + (<usize>j << 2);
      store<f32>(d, accumulate ? load<f32>(d) + v : v);
    }
  }
}

export function gemmScratchFloats(m: i32, n: i32): i32 {
  return MC * KC + KC * roundUp(max(m, n), NR) + MR * NR + m * n;
}
