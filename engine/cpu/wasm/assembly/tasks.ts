// AssemblyScript: the kernels the thread team runs. Each takes a parameter
// block (i32 words at `params`, laid out as engine/cpu/wasm/tasks.ts writes
// them), a task index and the scratch memory of the thread that runs it.
// A task writes only its own part of the output, and what it computes does
// not depend on which thread runs it or on how many there are.

import { gemmScratchFloats, sgemm } from "./gemm";
import { col2im, depthwiseFilterRange, depthwisePassRange, im2col } from "./conv";
import { zeroFloats } from "./floats";
import { f32At, word } from "./params";
import { rowDots } from "./row_dots";

// GEMM: C = op(A) op(B) (+ C) for one batch item and one block of rows or
// columns of C. Words: m n k a sAi sAk b sBk sBj c ldc accumulate
// batchStrideA batchStrideB batchStrideC chunks splitRows chunkSize.
export function gemmTask(params: usize, task: i32, scratch: usize): void {
  const m = word(params, 0), n = word(params, 1), k = word(params, 2);
  const sAi = word(params, 4), sAk = word(params, 5), sBk = word(params, 7), sBj = word(params, 8), ldc = word(params, 10);
  const chunks = word(params, 15), chunkSize = word(params, 17);
  const item = task / chunks, ch = task % chunks;
  let a = f32At(<usize>word(params, 3), item * word(params, 12));
  let b = f32At(<usize>word(params, 6), item * word(params, 13));
  let c = f32At(<usize>word(params, 9), item * word(params, 14));
  const start = ch * chunkSize;
  let rows = m, cols = n;
  if (word(params, 16) != 0) {
    rows = min(chunkSize, m - start);
    a = f32At(a, start * sAi);
    c = f32At(c, start * ldc);
  } else {
    cols = min(chunkSize, n - start);
    b = f32At(b, start * sBj);
    c = f32At(c, start);
  }
  if (rows > 0 && cols > 0) sgemm(rows, cols, k, a, sAi, sAk, b, sBk, sBj, c, ldc, word(params, 11) != 0, scratch);
}

// Convolution geometry words, shared by the convolution tasks from word 3:
// c h w kh kw sh sw ph pw oh ow cout groups. Read in place: the stub runtime
// must not allocate (its heap would overlap the CPU backend's).
const C = 3, H = 4, W = 5, KH = 6, KW = 7, SH = 8, SW = 9, PH = 10, PW = 11, OH = 12, OW = 13, COUT = 14, GROUPS = 15;

// @ts-ignore: decorator
@inline function plane(params: usize): i32 { return word(params, OH) * word(params, OW); }
// @ts-ignore: decorator
@inline function imageFloats(params: usize): i32 { return word(params, C) * word(params, H) * word(params, W); }
// @ts-ignore: decorator
@inline function coutG(params: usize): i32 { return word(params, COUT) / word(params, GROUPS); }
// @ts-ignore: decorator
@inline function kg(params: usize): i32 { return word(params, C) / word(params, GROUPS) * word(params, KH) * word(params, KW); }
// @ts-ignore: decorator
@inline function colFloats(params: usize): i32 { return word(params, C) * word(params, KH) * word(params, KW) * plane(params); }
// @ts-ignore: decorator
@inline function pointwise(params: usize): bool {
  return word(params, KH) == 1 && word(params, KW) == 1 && word(params, SH) == 1 && word(params, SW) == 1 && word(params, PH) == 0 && word(params, PW) == 0;
}

function im2colOf(params: usize, x: usize, col: usize, ld: i32): void {
  im2col(x, word(params, C), word(params, H), word(params, W), word(params, KH), word(params, KW), word(params, SH), word(params, SW),
    word(params, PH), word(params, PW), word(params, OH), word(params, OW), col, ld);
}

// Forward convolution of one image. Words: x w y, geometry.
export function convForwardTask(params: usize, image: i32, scratch: usize): void {
  const p = plane(params), k = kg(params), co = coutG(params);
  const x = f32At(<usize>word(params, 0), image * imageFloats(params));
  const y = f32At(<usize>word(params, 2), image * word(params, COUT) * p);
  const w = <usize>word(params, 1);
  let col = x, gs = scratch;
  if (!pointwise(params)) {
    col = scratch;
    gs = f32At(scratch, colFloats(params));
    im2colOf(params, x, col, p);
  }
  for (let grp: i32 = 0; grp < word(params, GROUPS); grp++) {
    sgemm(co, p, k, f32At(w, grp * co * k), k, 1, f32At(col, grp * k * p), p, 1, f32At(y, grp * co * p), p, false, gs);
  }
}

// Input gradient of one image. Words: dy w dx, geometry.
export function convBackpropInputTask(params: usize, image: i32, scratch: usize): void {
  const p = plane(params), k = kg(params), co = coutG(params);
  const dy = f32At(<usize>word(params, 0), image * word(params, COUT) * p);
  const dx = f32At(<usize>word(params, 2), image * imageFloats(params));
  const w = <usize>word(params, 1);
  const pw = pointwise(params);
  let dcol = dx, gs = scratch;
  if (!pw) {
    dcol = scratch;
    gs = f32At(scratch, colFloats(params));
  }
  for (let grp: i32 = 0; grp < word(params, GROUPS); grp++) {
    // dcol_g[kg, p] = W_g^T [kg, coutG] x dy_g [coutG, p]
    sgemm(k, p, co, f32At(w, grp * co * k), 1, k, f32At(dy, grp * co * p), p, 1, f32At(dcol, grp * k * p), p, false, gs);
  }
  if (!pw) {
    zeroFloats(dx, imageFloats(params));
    col2im(dcol, word(params, C), word(params, H), word(params, W), word(params, KH), word(params, KW), word(params, SH), word(params, SW),
      word(params, PH), word(params, PW), word(params, OH), word(params, OW), dx);
  }
}

// Depthwise forward or input gradient over planes [task * per, ...) of n*c.
// Words: img w out adjoint nc, geometry (from word 3, as above, cout = c), per.
export function depthwiseTask(params: usize, task: i32, _scratch: usize): void {
  const nc = word(params, 16), per = word(params, 17);
  const p0 = task * per, p1 = min(nc, p0 + per);
  if (p0 >= p1) return;
  depthwisePassRange(<usize>word(params, 0), <usize>word(params, 1), <usize>word(params, 2), word(params, 18) != 0, p0, p1,
    word(params, C), word(params, H), word(params, W), word(params, KH), word(params, KW), word(params, SH), word(params, SW),
    word(params, PH), word(params, PW), word(params, OH), word(params, OW));
}

// Depthwise filter gradient of channels [task * per, ...), summed over n images in order.
// Words: x dy dw, geometry, n per.
export function depthwiseFilterTask(params: usize, task: i32, _scratch: usize): void {
  const n = word(params, 16), per = word(params, 17);
  const c0 = task * per, c1 = min(word(params, C), c0 + per);
  if (c0 >= c1) return;
  depthwiseFilterRange(<usize>word(params, 0), <usize>word(params, 1), <usize>word(params, 2), n, c0, c1,
    word(params, C), word(params, H), word(params, W), word(params, KH), word(params, KW), word(params, SH), word(params, SW),
    word(params, PH), word(params, PW), word(params, OH), word(params, OW));
}



// One partial of the filter gradient: P_s[cout, kg] = the sum, image by
// image in order, of dy_i col_i^T over images [s * per, ...) (s = task),
// col_i being image i's im2col matrix (built in scratch) or, for a
// pointwise convolution, x_i itself; group g's rows of P from dy_i's
// channels g*coutG.. and col_i's rows g*kg.., by rowDots where a group's
// gradient has at most rowDotsMax elements, else by the GEMM. Words: x dy
// partials, geometry (from word 3, as above), n per rowDotsMax.
export function filterSliceTask(params: usize, task: i32, scratch: usize): void {
  const n = word(params, 16), per = word(params, 17);
  const i0 = task * per, i1 = min(n, i0 + per);
  const p = plane(params), k = kg(params), co = coutG(params), cout = word(params, COUT);
  const part = f32At(<usize>word(params, 2), task * cout * k);
  const pw = pointwise(params);
  const gs = pw ? scratch : f32At(scratch, colFloats(params));
  for (let i = i0; i < i1; i++) {
    let col = f32At(<usize>word(params, 0), i * imageFloats(params));
    if (!pw) {
      im2colOf(params, col, scratch, p);
      col = scratch;
    }
    const dy = f32At(<usize>word(params, 1), i * cout * p);
    for (let grp: i32 = 0; grp < word(params, GROUPS); grp++) {
      const dyg = f32At(dy, grp * co * p), colg = f32At(col, grp * k * p), pg = f32At(part, grp * co * k);
      if (co * k <= word(params, 18)) rowDots(co, k, p, dyg, p, colg, p, pg, k, i > i0);
      else sgemm(co, k, p, dyg, p, 1, colg, 1, p, pg, k, i > i0, gs);
    }
  }
}

// out (+)= the sum of `slices` partial outputs of `size` floats each, in
// slice order, for elements [task * per, ...). Words: partials out size
// slices per accumulate.
export function sumSlicesTask(params: usize, task: i32, _scratch: usize): void {
  const partials = <usize>word(params, 0), out = <usize>word(params, 1), size = word(params, 2), slices = word(params, 3);
  const per = word(params, 4), accumulate = word(params, 5) != 0;
  const i1 = min(size, (task + 1) * per), stride = <usize>size << 2;
  let i = task * per;
  // four elements at a time, each summed over the slices in order as below
  for (; i + 4 <= i1; i += 4) {
    let at = f32At(partials, i);
    let v = v128.load(at);
    for (let s: i32 = 1; s < slices; s++) {
      at += stride;
      v = f32x4.add(v, v128.load(at));
    }
    const o = f32At(out, i);
    v128.store(o, accumulate ? f32x4.add(v128.load(o), v) : v);
  }
  for (; i < i1; i++) {
    let v: f32 = load<f32>(f32At(partials, i));
    for (let s: i32 = 1; s < slices; s++) v += load<f32>(f32At(partials, s * size + i));
    const o = f32At(out, i);
    store<f32>(o, accumulate ? load<f32>(o) + v : v);
  }
}
