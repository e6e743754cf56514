// AssemblyScript: direct convolution with stride 1 and one group, for the
// few-channel layers where im2col + GEMM spends more time moving the 9x
// larger column matrix than multiplying it.
//
// The image is copied with its zero border into scratch as rows of
// wp = w + 2*pw floats, so output pixel (oy, ox) sits at flat position
// i = oy*wp + ox and tap (ky, kx) reads the padded input at i + ky*wp + kx:
// four neighbouring outputs read four neighbouring inputs for every tap,
// whatever the width. The kw-1 positions per row past ow are computed and
// dropped. Output channels go in blocks of COB, pixels in blocks of VB
// vectors: 8 accumulators, 2 input loads and 4 weight splats per tap.

import { f32At, word } from "./params";

const COB: i32 = 4;
const VB: i32 = 2;
const BLOCK: i32 = 4 * VB;

// @ts-ignore: decorator
@inline
function roundUp(x: i32, q: i32): i32 {
  return ((x + q - 1) / q) * q;
}

// Parameter words: x w y inC h w kh kw ph pw outC adjoint. The adjoint form
// (the input gradient) reads weights stored [inC of the forward][outC][kh][kw]
// as w[ci][co] flipped in both axes: x is dy, y is dx, and the padding is the
// forward's kh-1-ph, kw-1-pw.
const X = 0, WT = 1, Y = 2, INC = 3, H = 4, W = 5, KH = 6, KW = 7, PH = 8, PW = 9, OUTC = 10, ADJOINT = 11;

// @ts-ignore: decorator
@inline
function paddedRow(params: usize): i32 { return word(params, W) + 2 * word(params, PW); }
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
// Floats read past the last plane by the dropped positions of the last block.
// @ts-ignore: decorator
@inline
function slack(kw: i32): i32 { return BLOCK + kw; }

// Scratch floats per thread: the padded image and its slack, the packed
// weights, one block of output planes.
export function directConvScratchFloats(inC: i32, h: i32, w: i32, kh: i32, kw: i32, ph: i32, pw: i32, outC: i32): i32 {
  const wp = w + 2 * pw;
  return inC * (h + 2 * ph) * wp + slack(kw) + roundUp(outC, COB) * inC * kh * kw + COB * roundUp((h + 2 * ph - kh + 1) * wp, BLOCK);
}

// packed[cb][ci][ky][kx][j] = weight of output channel cb*COB + j (0 past outC).
function packWeights(params: usize, dst: usize): void {
  const w = <usize>word(params, WT), inC = word(params, INC), outC = word(params, OUTC);
  const kh = word(params, KH), kw = word(params, KW), taps = kh * kw;
  const adjoint = word(params, ADJOINT) != 0;
  for (let cb: i32 = 0; cb < outC; cb += COB) {
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
}

// The image `src` (inC x h x w) into dst with a zero border, plus zeroed slack.
function padImage(params: usize, src: usize, dst: usize): void {
  const inC = word(params, INC), h = word(params, H), w = word(params, W), ph = word(params, PH), pw = word(params, PW);
  const wp = paddedRow(params);
  memory.fill(dst, 0, <usize>(inC * paddedPlane(params) + slack(word(params, KW))) << 2);
  for (let ci: i32 = 0; ci < inC; ci++) {
    for (let y: i32 = 0; y < h; y++) {
      memory.copy(f32At(dst, (ci * (h + 2 * ph) + y + ph) * wp + pw), f32At(src, (ci * h + y) * w), <usize>w << 2);
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
          a00 = f32x4.add(a00, f32x4.mul(s, x0)); a01 = f32x4.add(a01, f32x4.mul(s, x1));
          s = v128.load32_splat(wq, 4);
          a10 = f32x4.add(a10, f32x4.mul(s, x0)); a11 = f32x4.add(a11, f32x4.mul(s, x1));
          s = v128.load32_splat(wq, 8);
          a20 = f32x4.add(a20, f32x4.mul(s, x0)); a21 = f32x4.add(a21, f32x4.mul(s, x1));
          s = v128.load32_splat(wq, 12);
          a30 = f32x4.add(a30, f32x4.mul(s, x0)); a31 = f32x4.add(a31, f32x4.mul(s, x1));
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

// One image: y[image] = direct convolution of x[image].
export function directConvTask(params: usize, image: i32, scratch: usize): void {
  const inC = word(params, INC), outC = word(params, OUTC), kh = word(params, KH), kw = word(params, KW);
  const h = word(params, H), w = word(params, W);
  const oh = outRows(params), ow = w + 2 * word(params, PW) - kw + 1, wp = paddedRow(params), plane = paddedPlane(params);
  const len = flatLength(params);
  const xp = scratch;
  const wq = f32At(xp, inC * plane + slack(kw));
  const out = f32At(wq, roundUp(outC, COB) * inC * kh * kw);
  padImage(params, f32At(<usize>word(params, X), image * inC * h * w), xp);
  packWeights(params, wq);
  const y = f32At(<usize>word(params, Y), image * outC * oh * ow);
  const blockWeights = COB * inC * kh * kw;
  for (let cb: i32 = 0; cb < outC; cb += COB) {
    block(xp, f32At(wq, (cb / COB) * blockWeights), out, len, inC, plane, wp, kh, kw);
    for (let j: i32 = 0; j < min(COB, outC - cb); j++) {
      for (let oy: i32 = 0; oy < oh; oy++) {
        memory.copy(f32At(y, ((cb + j) * oh + oy) * ow), f32At(out, j * len + oy * wp), <usize>ow << 2);
      }
    }
  }
}
