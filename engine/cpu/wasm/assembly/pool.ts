// AssemblyScript: average pooling with stride 1 (NAS-Bench-201's
// avg_pool_3x3) as two separable box sums in f32 SIMD: along rows into
// scratch, then across rows. Its gradient is a box sum too, of dy scaled by
// each window's divisor, with the window mirrored.

import { copyFloats } from "./floats";
import { f32At as at, ptr, word } from "./params";

// dst[y][x] = sum of src[y + a - offY][x + b - offX] over a < kh, b < kw inside src.
function boxSum(src: usize, sH: i32, sW: i32, dst: usize, dH: i32, dW: i32, kh: i32, kw: i32, offY: i32, offX: i32, rows: usize): void {
  // along each row, into rows[r][x] (dW floats per row)
  const lo = offX, hi = sW - kw + offX; // x in [lo, hi]: every tap inside the row
  for (let r: i32 = 0; r < sH; r++) {
    const s = at(src, r * sW), d = at(rows, r * dW);
    let x: i32 = 0;
    for (; x < dW && (x < lo || x > hi); x++) store<f32>(at(d, x), edgeSum(s, sW, x - offX, kw));
    if (kw == 3) {
      // NAS-Bench-201's 3x3 pool: the taps unrolled, added in the same order
      for (; x + 4 <= dW && x + 3 <= hi; x += 4) {
        const p = at(s, x - offX);
        v128.store(at(d, x), f32x4.add(f32x4.add(v128.load(p), v128.load(p, 4)), v128.load(p, 8)));
      }
    }
    for (; x + 4 <= dW && x + 3 <= hi; x += 4) {
      let v = v128.load(at(s, x - offX));
      for (let b: i32 = 1; b < kw; b++) v = f32x4.add(v, v128.load(at(s, x - offX + b)));
      v128.store(at(d, x), v);
    }
    for (; x < dW; x++) store<f32>(at(d, x), edgeSum(s, sW, x - offX, kw));
  }
  // across rows
  for (let y: i32 = 0; y < dH; y++) {
    const r0 = max(0, y - offY), r1 = min(sH, y - offY + kh);
    const d = at(dst, y * dW);
    let x: i32 = 0;
    if (r1 - r0 == 3) {
      const a = at(rows, r0 * dW), b = at(a, dW), c = at(b, dW);
      for (; x + 4 <= dW; x += 4) {
        const o = <usize>x << 2;
        v128.store(at(d, x), f32x4.add(f32x4.add(f32x4.add(f32x4.splat(0), v128.load(a + o)), v128.load(b + o)), v128.load(c + o)));
      }
    }
    for (; x + 4 <= dW; x += 4) {
      let v = f32x4.splat(0);
      for (let r = r0; r < r1; r++) v = f32x4.add(v, v128.load(at(rows, r * dW + x)));
      v128.store(at(d, x), v);
    }
    for (; x < dW; x++) {
      let v: f32 = 0;
      for (let r = r0; r < r1; r++) v += load<f32>(at(rows, r * dW + x));
      store<f32>(at(d, x), v);
    }
  }
}

// sum of row[x0 + b] for b < kw, inside [0, w)
function edgeSum(row: usize, w: i32, x0: i32, kw: i32): f32 {
  let v: f32 = 0;
  for (let b = max(0, x0); b < min(w, x0 + kw); b++) v += load<f32>(at(row, b));
  return v;
}

// plane *= 1 / divisor of each window: kh*kw with padding counted, else the
// window's rows inside the image times its columns inside.
function divide(plane: usize, oh: i32, ow: i32, h: i32, w: i32, kh: i32, kw: i32, ph: i32, pw: i32, includePad: bool, colInv: usize): void {
  for (let j: i32 = 0; j < ow; j++) {
    const cols = includePad ? kh * kw : min(w, j - pw + kw) - max(0, j - pw);
    store<f32>(at(colInv, j), <f32>1 / <f32>cols);
  }
  for (let i: i32 = 0; i < oh; i++) {
    const rInv = includePad ? <f32>1 : <f32>1 / <f32>(min(h, i - ph + kh) - max(0, i - ph));
    const rv = f32x4.splat(rInv), row = at(plane, i * ow);
    let j: i32 = 0;
    for (; j + 4 <= ow; j += 4) v128.store(at(row, j), f32x4.mul(f32x4.mul(v128.load(at(row, j)), rv), v128.load(at(colInv, j))));
    for (; j < ow; j++) store<f32>(at(row, j), load<f32>(at(row, j)) * rInv * load<f32>(at(colInv, j)));
  }
}

// Scratch floats per thread.
export function avgPoolStride1Scratch(h: i32, w: i32, oh: i32, ow: i32): i32 {
  return oh * ow + max(h, oh) * max(w, ow) + max(w, ow) + 4;
}

// Stride-1 average pooling forward (x -> y) or gradient (dy -> dx) over
// planes [task * per, ...). Words: src dst backward planes h w oh ow kh kw ph pw includePad per.
export function avgPoolStride1Task(params: usize, task: i32, scratch: usize): void {
  const src = ptr(params, 0), dst = ptr(params, 1), backward = word(params, 2) != 0;
  const planes = word(params, 3), h = word(params, 4), w = word(params, 5), oh = word(params, 6), ow = word(params, 7);
  const kh = word(params, 8), kw = word(params, 9), ph = word(params, 10), pw = word(params, 11), includePad = word(params, 12) != 0;
  const per = word(params, 13);
  const scaled = scratch, rows = at(scaled, oh * ow), colInv = at(rows, max(h, oh) * max(w, ow));
  for (let p = task * per; p < min(planes, task * per + per); p++) {
    if (backward) {
      copyFloats(scaled, at(src, p * oh * ow), oh * ow);
      divide(scaled, oh, ow, h, w, kh, kw, ph, pw, includePad, colInv);
      boxSum(scaled, oh, ow, at(dst, p * h * w), h, w, kh, kw, kh - 1 - ph, kw - 1 - pw, rows);
    } else {
      const out = at(dst, p * oh * ow);
      boxSum(at(src, p * h * w), h, w, out, oh, ow, kh, kw, ph, pw, rows);
      divide(out, oh, ow, h, w, kh, kw, ph, pw, includePad, colInv);
    }
  }
}

// 2x2 windows at stride 2 without padding (the downsampling shortcut of
// ResNet blocks and NAS-Bench-201's reduction cells) tile the plane: each
// output is a quarter of the sum of its four inputs, column pairs added
// after row pairs; in the gradient each covered input gets a quarter of its
// window's dy (the rest of dx is left as it is). Four outputs at a time.
export function avgPool2x2Plane(src: usize, dst: usize, backward: bool, w: i32, oh: i32, ow: i32): void {
  const quarter = f32x4.splat(0.25);
  for (let i: i32 = 0; i < oh; i++) {
    let j: i32 = 0;
    if (backward) {
      const dy = at(src, i * ow), r0 = at(dst, 2 * i * w), r1 = at(r0, w);
      for (; j + 4 <= ow; j += 4) {
        const v = f32x4.mul(v128.load(at(dy, j)), quarter);
        const lo = v128.shuffle<f32>(v, v, 0, 0, 1, 1), hi = v128.shuffle<f32>(v, v, 2, 2, 3, 3);
        v128.store(at(r0, 2 * j), lo);
        v128.store(at(r0, 2 * j + 4), hi);
        v128.store(at(r1, 2 * j), lo);
        v128.store(at(r1, 2 * j + 4), hi);
      }
      for (; j < ow; j++) {
        const v = load<f32>(at(dy, j)) * <f32>0.25;
        store<f32>(at(r0, 2 * j), v);
        store<f32>(at(r0, 2 * j + 1), v);
        store<f32>(at(r1, 2 * j), v);
        store<f32>(at(r1, 2 * j + 1), v);
      }
    } else {
      const r0 = at(src, 2 * i * w), r1 = at(r0, w), y = at(dst, i * ow);
      for (; j + 4 <= ow; j += 4) {
        const s0 = f32x4.add(v128.load(at(r0, 2 * j)), v128.load(at(r1, 2 * j)));
        const s1 = f32x4.add(v128.load(at(r0, 2 * j + 4)), v128.load(at(r1, 2 * j + 4)));
        const sum = f32x4.add(v128.shuffle<f32>(s0, s1, 0, 2, 4, 6), v128.shuffle<f32>(s0, s1, 1, 3, 5, 7));
        v128.store(at(y, j), f32x4.mul(sum, quarter));
      }
      for (; j < ow; j++) {
        const even = load<f32>(at(r0, 2 * j)) + load<f32>(at(r1, 2 * j)), odd = load<f32>(at(r0, 2 * j + 1)) + load<f32>(at(r1, 2 * j + 1));
        store<f32>(at(y, j), (even + odd) * <f32>0.25);
      }
    }
  }
}
