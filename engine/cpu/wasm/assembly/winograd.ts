// AssemblyScript: 3x3 stride-1 convolution by Winograd's F(2x2, 3x3) (Lavin
// and Gray, 2016): each 2x2 block of outputs ("tile") is
//   Y = A^T [ (G g G^T) . (B^T d B) ] A
// for the 4x4 input patch d under it and each 3x3 filter g, summed over
// input channels between the brackets: 16 products per tile and pair of
// channels where the direct kernel does 36. The transforms take only adds
// and halvings.
//
// Per image (a task): the padded image is laid out with its even and odd
// columns apart, so the four patch columns of four neighbouring tiles are
// four vector loads; the input transform writes V[xi][ci][tile]; then, for
// each block of COB output channels and TB tiles, sixteen small products
// M[xi] = U[xi] V[xi] (U = the transformed filters, packed once per call)
// and the output transform into y. Tiles go in rows of TW, a multiple of 4;
// those past the output are computed from zeros and dropped.

import { zeroFloats } from "./floats";
import { madd } from "./madd";
import { f32At, roundUp, word } from "./params";

const COB: i32 = 4;
const TB: i32 = 8;

// Parameter words, as the direct kernel's (direct_conv.ts): x w y inC h w kh
// kw ph pw outC adjoint packed; kh = kw = 3.
const X = 0, WT = 1, Y = 2, INC = 3, H = 4, W = 5, PH = 8, PW = 9, OUTC = 10, ADJOINT = 11, PACKED = 12;

// Output rows and columns, tile rows, and tiles per row (a multiple of 4).
// @ts-ignore: decorator
@inline function outH(h: i32, ph: i32): i32 { return h + 2 * ph - 2; }
// @ts-ignore: decorator
@inline function tilesPerRow(w: i32, pw: i32): i32 { return roundUp((outH(w, pw) + 1) / 2, 4); }
// Floats per row of even (or odd) padded columns: the tiles' first columns and one more, and a vector's slack.
// @ts-ignore: decorator
@inline function halfRow(tw: i32): i32 { return tw + 4; }
// Tiles per image, rounded up to a block.
// @ts-ignore: decorator
@inline function tilesPadded(th: i32, tw: i32): i32 { return roundUp(th * tw, TB); }

// Scratch floats per thread: the image's even and odd columns, V, and one block of M.
export function winogradScratchFloats(inC: i32, h: i32, w: i32, ph: i32, pw: i32): i32 {
  const th = (outH(h, ph) + 1) / 2, tw = tilesPerRow(w, pw);
  return inC * 2 * (2 * th + 2) * halfRow(tw) + 16 * inC * tilesPadded(th, tw) + 16 * COB * TB;
}

// Floats of the transformed filters: U[cb][xi][ci][j] for output channel cb*COB + j (0 past outC).
export function winogradPackedFloats(inC: i32, outC: i32): i32 {
  return roundUp(outC, COB) * 16 * inC;
}

// Tasks of winogradPackTask: one per block of COB output channels.
export function winogradPackTasks(outC: i32): i32 {
  return (outC + COB - 1) / COB;
}

// Block `task` of U = G g G^T, with G = [1 0 0; 1/2 1/2 1/2; 1/2 -1/2 1/2; 0 0 1].
// The adjoint form (the input gradient) reads the forward's filters
// [inC of the forward][outC][3][3] as w[ci][co] flipped in both axes.
export function winogradPackTask(params: usize, task: i32, _scratch: usize): void {
  const w = <usize>word(params, WT), inC = word(params, INC), outC = word(params, OUTC);
  const adjoint = word(params, ADJOINT) != 0;
  const cb = task * COB;
  const u = f32At(<usize>word(params, PACKED), cb * 16 * inC);
  for (let ci: i32 = 0; ci < inC; ci++) {
    for (let j: i32 = 0; j < COB; j++) {
      const co = cb + j;
      // g[r][c] at g + (r*3 + c) * step
      let g: usize = 0, step: i32 = 4;
      if (co < outC) {
        if (adjoint) {
          g = f32At(w, (ci * outC + co) * 9 + 8);
          step = -4;
        } else {
          g = f32At(w, (co * inC + ci) * 9);
        }
      }
      for (let r: i32 = 0; r < 4; r++) {
        // row r of G g: a combination of g's rows
        let a: f32 = 0, b: f32 = 0, c: f32 = 0;
        if (g != 0) {
          const g0 = g, g1 = g + <usize>(3 * step), g2 = g + <usize>(6 * step);
          for (let col: i32 = 0; col < 3; col++) {
            const o = <usize>(col * step);
            const v0 = load<f32>(g0 + o), v1 = load<f32>(g1 + o), v2 = load<f32>(g2 + o);
            const v = r == 0 ? v0 : r == 1 ? (v0 + v1 + v2) * 0.5 : r == 2 ? (v0 - v1 + v2) * 0.5 : v2;
            if (col == 0) a = v; else if (col == 1) b = v; else c = v;
          }
        }
        // times G^T: the same combination of its columns
        const at = (ci * 4 + j) << 2;
        store<f32>(u + ((r * 4 + 0) * inC * COB << 2) + at, a);
        store<f32>(u + ((r * 4 + 1) * inC * COB << 2) + at, (a + b + c) * 0.5);
        store<f32>(u + ((r * 4 + 2) * inC * COB << 2) + at, (a - b + c) * 0.5);
        store<f32>(u + ((r * 4 + 3) * inC * COB << 2) + at, c);
      }
    }
  }
}

// One image: y[image] = the convolution of x[image], from U packed by winogradPackTask.
export function winogradConvTask(params: usize, image: i32, scratch: usize): void {
  const inC = word(params, INC), outC = word(params, OUTC), h = word(params, H), w = word(params, W);
  const ph = word(params, PH), pw = word(params, PW);
  const oh = outH(h, ph), ow = outH(w, pw);
  const th = (oh + 1) / 2, tw = tilesPerRow(w, pw), hr = halfRow(tw), rows = 2 * th + 2;
  const tiles = th * tw, tp = tilesPadded(th, tw);
  const halves = scratch, v = f32At(halves, inC * 2 * rows * hr), m = f32At(v, 16 * inC * tp);
  placeHalves(f32At(<usize>word(params, X), image * inC * h * w), inC, h, w, ph, pw, halves, rows, hr);
  transformInput(halves, inC, rows, hr, th, tw, tp, v);
  const y = f32At(<usize>word(params, Y), image * outC * oh * ow);
  const u = <usize>word(params, PACKED);
  for (let cb: i32 = 0; cb < outC; cb += COB) {
    const ub = f32At(u, cb * 16 * inC);
    for (let t0: i32 = 0; t0 < tp; t0 += TB) {
      products(ub, f32At(v, t0), inC, tp, m);
      for (let g: i32 = 0; g < TB; g += 4) {
        const t = t0 + g;
        if (t >= tiles) break;
        for (let j: i32 = 0; j < min(COB, outC - cb); j++) {
          transformOutput(f32At(m, j * TB + g), f32At(y, (cb + j) * oh * ow), t / tw, t % tw, oh, ow);
        }
      }
    }
  }
}

// x's inC planes of h x w into `halves` with their zero border: padded row r
// of channel ci as its even columns, then its odd ones, each row `hr` floats.
// Input column c is padded column c + pw. A row goes in runs of 8 columns
// (4 below 8), the last run ending at the row's end and overlapping the one
// before it, which it rewrites with the same values.
function placeHalves(x: usize, inC: i32, h: i32, w: i32, ph: i32, pw: i32, halves: usize, rows: i32, hr: i32): void {
  zeroFloats(halves, inC * 2 * rows * hr);
  const run = w >= 8 ? 8 : 4;
  for (let ci: i32 = 0; ci < inC; ci++) {
    for (let r: i32 = 0; r < h; r++) {
      const row = f32At(halves, (ci * rows + r + ph) * 2 * hr);
      const src = f32At(x, (ci * h + r) * w);
      if (w < 4) {
        for (let c: i32 = 0; c < w; c++) store<f32>(halfAt(row, c + pw, hr), load<f32>(f32At(src, c)));
        continue;
      }
      for (let c: i32 = 0; c < w; c += run) {
        const at = min(c, w - run);
        // lanes 0, 2, 4... go to the half of padded column at + pw, lanes 1, 3, 5... to the other's
        const first = halfAt(row, at + pw, hr), second = halfAt(row, at + pw + 1, hr);
        const a = v128.load(f32At(src, at));
        if (run == 8) {
          const b = v128.load(f32At(src, at), 16);
          v128.store(first, v128.shuffle<f32>(a, b, 0, 2, 4, 6));
          v128.store(second, v128.shuffle<f32>(a, b, 1, 3, 5, 7));
        } else {
          v128.store64_lane(first, v128.shuffle<f32>(a, a, 0, 2, 0, 2), 0);
          v128.store64_lane(second, v128.shuffle<f32>(a, a, 1, 3, 1, 3), 0);
        }
      }
    }
  }
}

// Where padded column pc of a row goes: its half (even or odd), then its index there.
// @ts-ignore: decorator
@inline
function halfAt(row: usize, pc: i32, hr: i32): usize {
  return f32At(row, (pc & 1) * hr + (pc >> 1));
}

// V[xi][ci][tile] = B^T d B for every tile, four tiles at a time, with
// B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1]; tiles th*tw..tp-1 are 0.
// A patch row's columns 2tx+k, k = 0..3, for four tiles are even[tx],
// odd[tx], even[tx+1], odd[tx+1]: each of the four rows is loaded once, four
// vectors, and transformed (d B); rows 1 and 2 give V's rows 1 and 2, then
// rows 0 and 3 with them give rows 0 and 3.
function transformInput(halves: usize, inC: i32, rows: i32, hr: i32, th: i32, tw: i32, tp: i32, v: usize): void {
  const xiStride = <usize>(inC * tp) << 2;
  const step = <usize>(2 * hr) << 2, odd = <usize>hr << 2;
  for (let ci: i32 = 0; ci < inC; ci++) {
    const vc = f32At(v, ci * tp);
    for (let ty: i32 = 0; ty < th; ty++) {
      // rows 2ty..2ty+3 of this channel
      const r0 = f32At(halves, (ci * rows + 2 * ty) * 2 * hr);
      for (let tx: i32 = 0; tx < tw; tx += 4) {
        const out = f32At(vc, ty * tw + tx);
        const p0 = f32At(r0, tx), p1 = p0 + step, p2 = p1 + step, p3 = p2 + step;
        let e0 = v128.load(p1), e1 = v128.load(p1, 4), o0 = v128.load(p1 + odd), o1 = v128.load(p1 + odd, 4);
        const a0 = f32x4.sub(e0, e1), a1 = f32x4.add(o0, e1), a2 = f32x4.sub(e1, o0), a3 = f32x4.sub(o0, o1);
        e0 = v128.load(p2); e1 = v128.load(p2, 4); o0 = v128.load(p2 + odd); o1 = v128.load(p2 + odd, 4);
        const b0 = f32x4.sub(e0, e1), b1 = f32x4.add(o0, e1), b2 = f32x4.sub(e1, o0), b3 = f32x4.sub(o0, o1);
        v128.store(out + 4 * xiStride, f32x4.add(a0, b0)); v128.store(out + 5 * xiStride, f32x4.add(a1, b1));
        v128.store(out + 6 * xiStride, f32x4.add(a2, b2)); v128.store(out + 7 * xiStride, f32x4.add(a3, b3));
        v128.store(out + 8 * xiStride, f32x4.sub(b0, a0)); v128.store(out + 9 * xiStride, f32x4.sub(b1, a1));
        v128.store(out + 10 * xiStride, f32x4.sub(b2, a2)); v128.store(out + 11 * xiStride, f32x4.sub(b3, a3));
        e0 = v128.load(p0); e1 = v128.load(p0, 4); o0 = v128.load(p0 + odd); o1 = v128.load(p0 + odd, 4);
        v128.store(out, f32x4.sub(f32x4.sub(e0, e1), b0)); v128.store(out + xiStride, f32x4.sub(f32x4.add(o0, e1), b1));
        v128.store(out + 2 * xiStride, f32x4.sub(f32x4.sub(e1, o0), b2)); v128.store(out + 3 * xiStride, f32x4.sub(f32x4.sub(o0, o1), b3));
        e0 = v128.load(p3); e1 = v128.load(p3, 4); o0 = v128.load(p3 + odd); o1 = v128.load(p3 + odd, 4);
        v128.store(out + 12 * xiStride, f32x4.sub(a0, f32x4.sub(e0, e1))); v128.store(out + 13 * xiStride, f32x4.sub(a1, f32x4.add(o0, e1)));
        v128.store(out + 14 * xiStride, f32x4.sub(a2, f32x4.sub(e1, o0))); v128.store(out + 15 * xiStride, f32x4.sub(a3, f32x4.sub(o0, o1)));
      }
    }
    if (tp > th * tw) {
      for (let xi: i32 = 0; xi < 16; xi++) zeroFloats(f32At(vc, xi * inC * tp + th * tw), tp - th * tw);
    }
  }
}

// M[xi][j][t] = sum over ci of U[xi][ci][j] V[xi][ci][t] for COB filters and TB tiles.
function products(u: usize, v: usize, inC: i32, tp: i32, m: usize): void {
  const vStep = <usize>tp << 2;
  for (let xi: i32 = 0; xi < 16; xi++) {
    let a00 = f32x4.splat(0), a01 = f32x4.splat(0);
    let a10 = f32x4.splat(0), a11 = f32x4.splat(0);
    let a20 = f32x4.splat(0), a21 = f32x4.splat(0);
    let a30 = f32x4.splat(0), a31 = f32x4.splat(0);
    let uq = f32At(u, xi * inC * COB);
    let vq = f32At(v, xi * inC * tp);
    for (let ci: i32 = 0; ci < inC; ci++) {
      const x0 = v128.load(vq), x1 = v128.load(vq, 16);
      let s = v128.load32_splat(uq);
      a00 = madd(s, x0, a00); a01 = madd(s, x1, a01);
      s = v128.load32_splat(uq, 4);
      a10 = madd(s, x0, a10); a11 = madd(s, x1, a11);
      s = v128.load32_splat(uq, 8);
      a20 = madd(s, x0, a20); a21 = madd(s, x1, a21);
      s = v128.load32_splat(uq, 12);
      a30 = madd(s, x0, a30); a31 = madd(s, x1, a31);
      uq += 16;
      vq += vStep;
    }
    const o = f32At(m, xi * COB * TB);
    v128.store(o, a00); v128.store(o, a01, 16);
    v128.store(o, a10, 32); v128.store(o, a11, 48);
    v128.store(o, a20, 64); v128.store(o, a21, 80);
    v128.store(o, a30, 96); v128.store(o, a31, 112);
  }
}

// Y = A^T m A, A^T = [1 1 1 0; 0 1 -1 -1], for four tiles from tile (ty, tx)
// of one output plane; m[xi] is four lanes at m + xi * COB * TB floats.
function transformOutput(m: usize, y: usize, ty: i32, tx: i32, oh: i32, ow: i32): void {
  const s = <usize>(COB * TB) << 2;
  // per row a of m: r0 = m[a][0] + m[a][1] + m[a][2], r1 = m[a][1] - m[a][2] - m[a][3]
  let r00 = f32x4.splat(0), r01 = f32x4.splat(0), r10 = f32x4.splat(0), r11 = f32x4.splat(0);
  let r20 = f32x4.splat(0), r21 = f32x4.splat(0), r30 = f32x4.splat(0), r31 = f32x4.splat(0);
  for (let a: i32 = 0; a < 4; a++) {
    const p = m + <usize>(4 * a) * s;
    const m0 = v128.load(p), m1 = v128.load(p + s), m2 = v128.load(p + 2 * s), m3 = v128.load(p + 3 * s);
    const q0 = f32x4.add(f32x4.add(m0, m1), m2), q1 = f32x4.sub(f32x4.sub(m1, m2), m3);
    if (a == 0) { r00 = q0; r01 = q1; } else if (a == 1) { r10 = q0; r11 = q1; } else if (a == 2) { r20 = q0; r21 = q1; } else { r30 = q0; r31 = q1; }
  }
  const y00 = f32x4.add(f32x4.add(r00, r10), r20), y01 = f32x4.add(f32x4.add(r01, r11), r21);
  const y10 = f32x4.sub(f32x4.sub(r10, r20), r30), y11 = f32x4.sub(f32x4.sub(r11, r21), r31);
  const oy = 2 * ty, ox = 2 * tx;
  storeRow(f32At(y, oy * ow + ox), y00, y01, ow - ox);
  if (oy + 1 < oh) storeRow(f32At(y, (oy + 1) * ow + ox), y10, y11, ow - ox);
}

// Four tiles' two columns interleaved: the first `left` of 8 outputs from `at`.
// @ts-ignore: decorator
@inline
function storeRow(at: usize, c0: v128, c1: v128, left: i32): void {
  const lo = v128.shuffle<f32>(c0, c1, 0, 4, 1, 5), hi = v128.shuffle<f32>(c0, c1, 2, 6, 3, 7);
  if (left >= 8) {
    v128.store(at, lo);
    v128.store(at, hi, 16);
  } else if (left >= 4) {
    v128.store(at, lo);
    storeFirst(at + 16, hi, left - 4);
  } else {
    storeFirst(at, lo, left);
  }
}

// The first n (below 4) lanes of v at `at`.
function storeFirst(at: usize, v: v128, n: i32): void {
  if (n > 0) store<f32>(at, f32x4.extract_lane(v, 0));
  if (n > 1) store<f32>(at, f32x4.extract_lane(v, 1), 4);
  if (n > 2) store<f32>(at, f32x4.extract_lane(v, 2), 8);
}
