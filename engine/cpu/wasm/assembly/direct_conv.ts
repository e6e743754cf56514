// AssemblyScript: direct convolution with stride 1 and one group, for the
// few-channel layers where im2col + GEMM spends more time moving the 9x
// larger column matrix than multiplying it.
//
// The image is copied with its zero border into scratch as rows of wp
// floats: pw zeros, then the row (wp = w + pw). Output pixel (oy, ox) sits at
// flat position i = oy*wp + ox and tap (ky, kx) reads the padded input at
// i + ky*wp + kx: four neighbouring outputs read four neighbouring inputs for
// every tap, whatever the width. A tap that reaches past its row (at most pw
// columns, for a kept output) reads the next row's leading zeros, so the
// rows share their borders: a 3x3 kernel with padding 1 on a 7x7 image
// keeps 7 of every 8 positions computed, not 7 of 9. The wp - ow positions
// per row past ow are computed and dropped.
// Output channels go in blocks of COB, pixels in blocks of VB vectors: 8
// accumulators, 2 input loads and 4 weight splats per tap.

import { copyFloats, zeroFloats } from "./floats";
import { madd } from "./madd";
import { f32At, roundUp, word } from "./params";

const COB: i32 = 4;
const VB: i32 = 2;
const BLOCK: i32 = 4 * VB;

// Parameter words: x w y inC h w kh kw ph pw outC adjoint packed. The adjoint form
// (the input gradient) reads weights stored [inC of the forward][outC][kh][kw]
// as w[ci][co] flipped in both axes: x is dy, y is dx, and the padding is the
// forward's kh-1-ph, kw-1-pw.
const X = 0, WT = 1, Y = 2, INC = 3, H = 4, W = 5, KH = 6, KW = 7, PH = 8, PW = 9, OUTC = 10, ADJOINT = 11, PACKED = 12;

// @ts-ignore: decorator
@inline
function paddedRow(params: usize): i32 { return directRowFloats(word(params, W), word(params, PW)); }
// @ts-ignore: decorator
@inline
function paddedPlane(params: usize): i32 { return (word(params, H) + 2 * word(params, PH)) * paddedRow(params); }
// @ts-ignore: decorator
@inline
function outRows(params: usize): i32 { return word(params, H) + 2 * word(params, PH) - word(params, KH) + 1; }
// Flat output positions computed per channel: whole padded rows, rounded up to a block.
// @ts-ignore: decorator
@inline
function flatLength(params: usize): i32 { return roundUp(outRows(params) * paddedRow(params), BLOCK); }
// Floats read past the last plane by the dropped positions of the last block
// (and, in the filter gradient, by its taps rounded up to a multiple of 3:
// direct_filter.ts).
// @ts-ignore: decorator
@inline
function slack(kw: i32): i32 { return BLOCK + kw + 3; }

// Floats per padded row: its left border and the row; the next row's left
// border is its right one.
export function directRowFloats(w: i32, pw: i32): i32 { return w + pw; }

// Shared with the filter gradient (direct_filter.ts), which places its planes the same way.
export function directFlatLength(positions: i32): i32 { return roundUp(positions, BLOCK); }
export function directSlackFloats(kw: i32): i32 { return slack(kw); }

// Scratch floats per thread: the padded image and its slack, one block of
// output planes.
export function directConvScratchFloats(inC: i32, h: i32, w: i32, kh: i32, kw: i32, ph: i32, pw: i32): i32 {
  const wp = directRowFloats(w, pw);
  return inC * (h + 2 * ph) * wp + slack(kw) + COB * roundUp((h + 2 * ph - kh + 1) * wp, BLOCK);
}

// Block `task` of the packed weights, filled once per call for every image:
// packed[cb][ci][ky][kx][j] = weight of output channel cb*COB + j (0 past
// outC), at the address in word PACKED.
export function directPackTask(params: usize, task: i32, _scratch: usize): void {
  const w = <usize>word(params, WT), inC = word(params, INC), outC = word(params, OUTC);
  const taps = word(params, KH) * word(params, KW);
  const adjoint = word(params, ADJOINT) != 0;
  const cb = task * COB;
  let dst = f32At(<usize>word(params, PACKED), cb * inC * taps);
  for (let ci: i32 = 0; ci < inC; ci++) {
    for (let t: i32 = 0; t < taps; t++) {
      for (let j: i32 = 0; j < COB; j++) {
        const co = cb + j;
        let v: f32 = 0;
        if (co < outC) {
          v = adjoint ? load<f32>(f32At(w, (ci * outC + co) * taps + taps - 1 - t)) : load<f32>(f32At(w, (co * inC + ci) * taps + t));
        }
        store<f32>(dst, v);
        dst += 4;
      }
    }
  }
}

// Floats of the packed weights.
export function directPackedFloats(inC: i32, outC: i32, kh: i32, kw: i32): i32 {
  return roundUp(outC, COB) * inC * kh * kw;
}

// Tasks of directPackTask: one per block of COB output channels.
export function directPackTasks(outC: i32): i32 {
  return (outC + COB - 1) / COB;
}

// planes x rows x cols floats from src (contiguous) into dst at row r0 and
// column c0 of planes whose rows are dstRow floats apart and which are
// dstPlane floats apart; dst is zeroed first, with `extra` floats beyond.
export function place(src: usize, planes: i32, rows: i32, cols: i32, dst: usize, dstPlane: i32, dstRow: i32, r0: i32, c0: i32, extra: i32): void {
  zeroFloats(dst, planes * dstPlane + extra);
  for (let q: i32 = 0; q < planes; q++) {
    for (let y: i32 = 0; y < rows; y++) {
      copyFloats(f32At(dst, q * dstPlane + (r0 + y) * dstRow + c0), f32At(src, (q * rows + y) * cols), cols);
    }
  }
}

// COB output planes of flat length len: out[j][i] = sum over ci, ky, kx.
function block(xp: usize, wq0: usize, out: usize, len: i32, inC: i32, plane: i32, wp: i32, kh: i32, kw: i32): void {
  for (let i: i32 = 0; i < len; i += BLOCK) {
    let a00 = f32x4.splat(0), a01 = f32x4.splat(0);
    let a10 = f32x4.splat(0), a11 = f32x4.splat(0);
    let a20 = f32x4.splat(0), a21 = f32x4.splat(0);
    let a30 = f32x4.splat(0), a31 = f32x4.splat(0);
    let wq = wq0;
    for (let ci: i32 = 0; ci < inC; ci++) {
      let row = f32At(xp, ci * plane + i);
      for (let ky: i32 = 0; ky < kh; ky++) {
        let src = row;
        for (let kx: i32 = 0; kx < kw; kx++) {
          const x0 = v128.load(src), x1 = v128.load(src, 16);
          let s = v128.load32_splat(wq);
          a00 = madd(s, x0, a00); a01 = madd(s, x1, a01);
          s = v128.load32_splat(wq, 4);
          a10 = madd(s, x0, a10); a11 = madd(s, x1, a11);
          s = v128.load32_splat(wq, 8);
          a20 = madd(s, x0, a20); a21 = madd(s, x1, a21);
          s = v128.load32_splat(wq, 12);
          a30 = madd(s, x0, a30); a31 = madd(s, x1, a31);
          wq += 16;
          src += 4;
        }
        row += <usize>wp << 2;
      }
    }
    const o = f32At(out, i), ld = <usize>len << 2;
    v128.store(o, a00); v128.store(o, a01, 16);
    v128.store(o + ld, a10); v128.store(o + ld, a11, 16);
    v128.store(o + 2 * ld, a20); v128.store(o + 2 * ld, a21, 16);
    v128.store(o + 3 * ld, a30); v128.store(o + 3 * ld, a31, 16);
  }
}

// One image: y[image] = direct convolution of x[image], with the weights directPackTask packed.
export function directConvTask(params: usize, image: i32, scratch: usize): void {
  const inC = word(params, INC), outC = word(params, OUTC), kh = word(params, KH), kw = word(params, KW);
  const h = word(params, H), w = word(params, W);
  const oh = outRows(params), ow = w + 2 * word(params, PW) - kw + 1, wp = paddedRow(params), plane = paddedPlane(params);
  const len = flatLength(params);
  const xp = scratch, wq = <usize>word(params, PACKED);
  const out = f32At(xp, inC * plane + slack(kw));
  place(f32At(<usize>word(params, X), image * inC * h * w), inC, h, w, xp, plane, wp, word(params, PH), word(params, PW), slack(kw));
  const y = f32At(<usize>word(params, Y), image * outC * oh * ow);
  const blockWeights = COB * inC * kh * kw;
  for (let cb: i32 = 0; cb < outC; cb += COB) {
    block(xp, f32At(wq, (cb / COB) * blockWeights), out, len, inC, plane, wp, kh, kw);
    for (let j: i32 = 0; j < min(COB, outC - cb); j++) {
      for (let oy: i32 = 0; oy < oh; oy++) {
        copyFloats(f32At(y, ((cb + j) * oh + oy) * ow), f32At(out, j * len + oy * wp), ow);
      }
    }
  }
}

// Depthwise convolution, stride 1, in the same flat layout: plane by plane,
// each output vector sums kh*kw taps of one padded plane. Words: x w y
// planes c h w kh kw ph pw adjoint per; adjoint (the input gradient) reads
// x = dy, y = dx, with the filter mirrored and the padding kh-1-ph, kw-1-pw
// given by the caller. Planes [task * per, ...); plane p uses filter p % c.
export function depthwiseDirectTask(params: usize, task: i32, scratch: usize): void {
  const x = <usize>word(params, 0), w = <usize>word(params, 1), y = <usize>word(params, 2);
  const planes = word(params, 3), c = word(params, 4), h = word(params, 5), wd = word(params, 6);
  const kh = word(params, 7), kw = word(params, 8), ph = word(params, 9), pw = word(params, 10), adjoint = word(params, 11) != 0;
  const per = word(params, 12);
  const wp = directRowFloats(wd, pw), plane = (h + 2 * ph) * wp, oh = h + 2 * ph - kh + 1, ow = wd + 2 * pw - kw + 1;
  const len = roundUp(oh * wp, BLOCK), taps = kh * kw;
  const xp = scratch, out = f32At(xp, plane + slack(kw));
  for (let p = task * per; p < min(planes, task * per + per); p++) {
    place(f32At(x, p * h * wd), 1, h, wd, xp, plane, wp, ph, pw, slack(kw));
    const filter = f32At(w, (p % c) * taps);
    for (let i: i32 = 0; i < len; i += BLOCK) {
      let a0 = f32x4.splat(0), a1 = f32x4.splat(0);
      for (let ky: i32 = 0; ky < kh; ky++) {
        let src = f32At(xp, i + ky * wp);
        for (let kx: i32 = 0; kx < kw; kx++) {
          const t = ky * kw + kx;
          const s = v128.load32_splat(f32At(filter, adjoint ? taps - 1 - t : t));
          a0 = madd(s, v128.load(src), a0);
          a1 = madd(s, v128.load(src, 16), a1);
          src += 4;
        }
      }
      v128.store(f32At(out, i), a0);
      v128.store(f32At(out, i), a1, 16);
    }
    const dst = f32At(y, p * oh * ow);
    for (let r: i32 = 0; r < oh; r++) copyFloats(f32At(dst, r * ow), f32At(out, r * wp), ow);
  }
}

export function depthwiseDirectScratch(h: i32, w: i32, kh: i32, kw: i32, ph: i32, pw: i32): i32 {
  const wp = directRowFloats(w, pw);
  return (h + 2 * ph) * wp + slack(kw) + roundUp((h + 2 * ph - kh + 1) * wp, BLOCK);
}
