// AssemblyScript: element-wise kernels and batch normalisation as tasks of
// the thread team (see ./tasks.ts for the calling convention). Element-wise
// tasks cover the range [task * per, task * per + per) of n elements;
// batch-norm statistics and gradients take one channel per task and add its
// rows' sums in f64.

import { zeroFloats } from "./floats";
import { lanes } from "./lanes";
import { f32At as at, f64Word, ptr, word } from "./params";
import { avgPool2x2Plane } from "./pool";

export const BINARY_ADD = 0, BINARY_SUB = 1, BINARY_MUL = 2, BINARY_DIV = 3;

// out = a op b, same shapes. Words: op a b out n per.
export function binaryTask(params: usize, task: i32, _scratch: usize): void {
  const op = word(params, 0), a = ptr(params, 1), b = ptr(params, 2), out = ptr(params, 3);
  const n = word(params, 4), per = word(params, 5);
  const i0 = task * per, i1 = min(n, i0 + per);
  let i = i0;
  for (; i + 4 <= i1; i += 4) {
    const x = v128.load(at(a, i)), y = v128.load(at(b, i));
    let r: v128;
    if (op == BINARY_ADD) r = f32x4.add(x, y);
    else if (op == BINARY_SUB) r = f32x4.sub(x, y);
    else if (op == BINARY_MUL) r = f32x4.mul(x, y);
    else r = f32x4.div(x, y);
    v128.store(at(out, i), r);
  }
  for (; i < i1; i++) {
    const x = load<f32>(at(a, i)), y = load<f32>(at(b, i));
    store<f32>(at(out, i), op == BINARY_ADD ? x + y : op == BINARY_SUB ? x - y : op == BINARY_MUL ? x * y : x / y);
  }
}

export const ACT_NONE = -1, ACT_RELU = 0, ACT_RELU6 = 1;

// out = relu(x) or relu6(x). Words: activation x out n per.
export function activationTask(params: usize, task: i32, _scratch: usize): void {
  const act = word(params, 0), x = ptr(params, 1), out = ptr(params, 2);
  const n = word(params, 3), per = word(params, 4);
  const i0 = task * per, i1 = min(n, i0 + per);
  const zero = f32x4.splat(0), six = f32x4.splat(6);
  let i = i0;
  for (; i + 4 <= i1; i += 4) {
    let v = f32x4.max(v128.load(at(x, i)), zero);
    if (act == ACT_RELU6) v = f32x4.min(v, six);
    v128.store(at(out, i), v);
  }
  for (; i < i1; i++) {
    let v = max<f32>(load<f32>(at(x, i)), 0);
    if (act == ACT_RELU6) v = min<f32>(v, 6);
    store<f32>(at(out, i), v);
  }
}

// dy where the activation has slope 1 at y (0 < y, and y < 6 for ACT_RELU6),
// else 0: its gradient, with y its input or (fused into a BN) its output.
// @ts-ignore: decorator
@inline
function passed(dy: v128, y: v128, act: i32): v128 {
  let mask = f32x4.gt(y, f32x4.splat(0));
  if (act == ACT_RELU6) mask = v128.and(mask, f32x4.lt(y, f32x4.splat(6)));
  return v128.and(dy, mask);
}

// @ts-ignore: decorator
@inline
function passedScalar(dy: f32, y: f32, act: i32): f32 {
  return y > 0 && (act != ACT_RELU6 || y < 6) ? dy : 0;
}

// dx = dy where the activation's input x lies where its slope is 1, else 0.
// Words: activation dy x dx n per.
export function activationGradTask(params: usize, task: i32, _scratch: usize): void {
  const act = word(params, 0), dy = ptr(params, 1), x = ptr(params, 2), dx = ptr(params, 3);
  const n = word(params, 4), per = word(params, 5);
  const i0 = task * per, i1 = min(n, i0 + per);
  let i = i0;
  for (; i + 4 <= i1; i += 4) v128.store(at(dx, i), passed(v128.load(at(dy, i)), v128.load(at(x, i)), act));
  for (; i < i1; i++) store<f32>(at(dx, i), passedScalar(load<f32>(at(dy, i)), load<f32>(at(x, i)), act));
}

// Channel sums: each row (one image's plane) summed in f32, eight lanes and
// then a scalar tail in f64, and the rows' totals added in f64, in an order
// set by the shape alone. A row's f32 sum is off by a few of its ulps, well
// below the f32 result's own rounding for the rows of a convolutional
// network's planes (test/engine/batchnorm.test.ts); the batch's sum loses nothing.

// sum over channel ch of x [n, c, inner] of (x - centre)^p, p = 1 or 2.
function channelSum(x: usize, n: i32, c: i32, inner: i32, ch: i32, centre: f32, square: bool): f64 {
  const cv = f32x4.splat(centre);
  let total: f64 = 0;
  for (let b: i32 = 0; b < n; b++) {
    const row = at(x, (b * c + ch) * inner);
    let a0 = f32x4.splat(0), a1 = f32x4.splat(0);
    let i: i32 = 0;
    for (; i + 8 <= inner; i += 8) {
      let d0 = f32x4.sub(v128.load(at(row, i)), cv), d1 = f32x4.sub(v128.load(at(row, i + 4)), cv);
      if (square) { d0 = f32x4.mul(d0, d0); d1 = f32x4.mul(d1, d1); }
      a0 = f32x4.add(a0, d0); a1 = f32x4.add(a1, d1);
    }
    let rowSum = <f64>lanes(f32x4.add(a0, a1));
    for (; i < inner; i++) {
      const d = <f64>(load<f32>(at(row, i)) - centre);
      rowSum += square ? d * d : d;
    }
    total += rowSum;
  }
  return total;
}

// Mean and biased variance of channel `ch` of x [n, c, inner], in two passes:
// the mean, then the mean square about it.
// Words: x mean var n c inner.
export function bnStatsTask(params: usize, ch: i32, _scratch: usize): void {
  const x = ptr(params, 0), n = word(params, 3), c = word(params, 4), inner = word(params, 5);
  const m = <f64>n * <f64>inner;
  const mu = <f32>(channelSum(x, n, c, inner, ch, 0, false) / m);
  const q = channelSum(x, n, c, inner, ch, mu, true);
  store<f32>(at(ptr(params, 1), ch), mu);
  store<f32>(at(ptr(params, 2), ch), <f32>(q / m));
}

// Per channel of c: inv = 1 / sqrt(var + eps), scale = inv * gamma,
// shift = beta - mean * scale, each stored as f32 and computed in f64 from the
// stored f32 values before it (as JavaScript computes them); gamma and beta
// are 1 and 0 where their pointers are 0. One task.
// Words: mean var gamma beta inv scale shift c eps(f64).
export function bnAffineTask(params: usize, _task: i32, _scratch: usize): void {
  const mean = ptr(params, 0), vr = ptr(params, 1), gamma = ptr(params, 2), beta = ptr(params, 3);
  const inv = ptr(params, 4), scale = ptr(params, 5), shift = ptr(params, 6), c = word(params, 7);
  const eps = f64Word(params, 8);
  for (let ch = 0; ch < c; ch++) {
    const i = <f32>(1 / Math.sqrt(<f64>load<f32>(at(vr, ch)) + eps));
    const s = <f32>(<f64>i * (gamma != 0 ? <f64>load<f32>(at(gamma, ch)) : 1));
    const b = beta != 0 ? <f64>load<f32>(at(beta, ch)) : 0;
    store<f32>(at(inv, ch), i);
    store<f32>(at(scale, ch), s);
    store<f32>(at(shift, ch), <f32>(b - <f64>load<f32>(at(mean, ch)) * <f64>s));
  }
}

// y = x * scale[ch] + shift[ch], then the fused activation (ACT_NONE, ACT_RELU
// or ACT_RELU6), over rows [task * per, ...) of the n*c rows.
// Words: x y scale shift n c inner per activation.
export function bnApplyTask(params: usize, task: i32, _scratch: usize): void {
  const x = ptr(params, 0), y = ptr(params, 1), scale = ptr(params, 2), shift = ptr(params, 3);
  const rows = word(params, 4) * word(params, 5), c = word(params, 5), inner = word(params, 6), per = word(params, 7);
  const act = word(params, 8);
  const zero = f32x4.splat(0), six = f32x4.splat(6);
  const r1 = min(rows, (task + 1) * per);
  for (let r = task * per; r < r1; r++) {
    const a = load<f32>(at(scale, r % c)), b = load<f32>(at(shift, r % c));
    const av = f32x4.splat(a), bv = f32x4.splat(b);
    const src = at(x, r * inner), dst = at(y, r * inner);
    let i: i32 = 0;
    for (; i + 4 <= inner; i += 4) {
      let v = f32x4.add(f32x4.mul(v128.load(at(src, i)), av), bv);
      if (act != ACT_NONE) v = f32x4.max(v, zero);
      if (act == ACT_RELU6) v = f32x4.min(v, six);
      v128.store(at(dst, i), v);
    }
    for (; i < inner; i++) {
      let v = load<f32>(at(src, i)) * a + b;
      if (act != ACT_NONE) v = max<f32>(v, 0);
      if (act == ACT_RELU6) v = min<f32>(v, 6);
      store<f32>(at(dst, i), v);
    }
  }
}

// Gradient of batch normalisation for channel `ch`: dgamma and dbeta sums in
// f64 (rows in f32, as channelSum), then dx (the full formula with batch statistics, else dy * gamma * invstd),
// as dx = A dy + B (x - mean) + C in f32. With a fused activation, dy is
// first masked by the forward output y (see passed).
// Words: dy x mean inv gamma dx dg db n c inner batchStats y activation
// (gamma 0 when not affine, y 0 without an activation).
export function bnGradTask(params: usize, ch: i32, _scratch: usize): void {
  const dy = ptr(params, 0), x = ptr(params, 1), gammaPtr = ptr(params, 4), dx = ptr(params, 5);
  const n = word(params, 8), c = word(params, 9), inner = word(params, 10), batchStats = word(params, 11) != 0;
  const y = ptr(params, 12), act = word(params, 13);
  const mu = load<f32>(at(ptr(params, 2), ch)), is = <f64>load<f32>(at(ptr(params, 3), ch));
  const g: f64 = gammaPtr == 0 ? 1 : <f64>load<f32>(at(gammaPtr, ch));
  const m = <f64>n * <f64>inner;
  // sum dy and sum dy (x - mu), each row in f32 (as channelSum)
  const mv = f32x4.splat(mu);
  let sumDy: f64 = 0, sumDyX: f64 = 0;
  for (let b: i32 = 0; b < n; b++) {
    const o = (b * c + ch) * inner;
    let s0 = f32x4.splat(0), s1 = f32x4.splat(0), p0 = f32x4.splat(0), p1 = f32x4.splat(0);
    let i: i32 = 0;
    for (; i + 8 <= inner; i += 8) {
      let d0 = v128.load(at(dy, o + i)), d1 = v128.load(at(dy, o + i + 4));
      if (act != ACT_NONE) { d0 = passed(d0, v128.load(at(y, o + i)), act); d1 = passed(d1, v128.load(at(y, o + i + 4)), act); }
      const x0 = f32x4.sub(v128.load(at(x, o + i)), mv), x1 = f32x4.sub(v128.load(at(x, o + i + 4)), mv);
      s0 = f32x4.add(s0, d0); s1 = f32x4.add(s1, d1);
      p0 = f32x4.add(p0, f32x4.mul(d0, x0)); p1 = f32x4.add(p1, f32x4.mul(d1, x1));
    }
    let rowDy = <f64>lanes(f32x4.add(s0, s1)), rowDyX = <f64>lanes(f32x4.add(p0, p1));
    for (; i < inner; i++) {
      let df = load<f32>(at(dy, o + i));
      if (act != ACT_NONE) df = passedScalar(df, load<f32>(at(y, o + i)), act);
      rowDy += <f64>df;
      rowDyX += <f64>df * <f64>(load<f32>(at(x, o + i)) - mu);
    }
    sumDy += rowDy;
    sumDyX += rowDyX;
  }
  const sumDyXhat = sumDyX * is;
  store<f32>(at(ptr(params, 6), ch), <f32>sumDyXhat);
  store<f32>(at(ptr(params, 7), ch), <f32>sumDy);
  const k = g * is;
  // (k/m)(m dy - sumDy - (x - mu) is sumDyXhat), or k dy; x - mu before
  // scaling, so a large mean cancels exactly rather than in the products
  const A = <f32>k;
  const B = batchStats ? <f32>(-(k / m) * is * sumDyXhat) : <f32>0;
  const C = batchStats ? <f32>(-(k / m) * sumDy) : <f32>0;
  const av = f32x4.splat(A), bv = f32x4.splat(B), cv = f32x4.splat(C);
  for (let b: i32 = 0; b < n; b++) {
    const o = (b * c + ch) * inner;
    let i: i32 = 0;
    for (; i + 4 <= inner; i += 4) {
      const xc = f32x4.sub(v128.load(at(x, o + i)), mv);
      let d = v128.load(at(dy, o + i));
      if (act != ACT_NONE) d = passed(d, v128.load(at(y, o + i)), act);
      v128.store(at(dx, o + i), f32x4.add(f32x4.add(f32x4.mul(av, d), f32x4.mul(bv, xc)), cv));
    }
    for (; i < inner; i++) {
      let d = load<f32>(at(dy, o + i));
      if (act != ACT_NONE) d = passedScalar(d, load<f32>(at(y, o + i)), act);
      store<f32>(at(dx, o + i), A * d + B * (load<f32>(at(x, o + i)) - mu) + C);
    }
  }
}

export const SCALAR_ADD = 0, SCALAR_MUL = 1;

// out = x + value or x * value, computed in f64 and rounded once (as the
// JavaScript kernels did). Words: op x out n per, then value as an f64 at word 5.
export function scalarTask(params: usize, task: i32, _scratch: usize): void {
  const op = word(params, 0), x = ptr(params, 1), out = ptr(params, 2);
  const n = word(params, 3), per = word(params, 4);
  const value = f64Word(params, 5);
  const i1 = min(n, (task + 1) * per);
  if (op == SCALAR_ADD) {
    for (let i = task * per; i < i1; i++) store<f32>(at(out, i), <f32>(<f64>load<f32>(at(x, i)) + value));
  } else {
    for (let i = task * per; i < i1; i++) store<f32>(at(out, i), <f32>(<f64>load<f32>(at(x, i)) * value));
  }
}

// Pooling geometry words from word 3: planes h w oh ow kh kw sh sw ph pw
// countIncludePad, then per (planes per task).

// @ts-ignore: decorator
@inline
function divisor(params: usize, y0: i32, y1: i32, x0: i32, x1: i32): f64 {
  return word(params, 14) != 0 ? <f64>(word(params, 8) * word(params, 9)) : <f64>((y1 - y0) * (x1 - x0));
}

// Average pooling forward (backward = false: x -> y) or its gradient
// (backward = true: dy -> dx, the planes zeroed first) over planes
// [task * per, ...). Window sums in f64, except for 2x2 windows at stride 2
// (pool.ts). Words: src dst backward, geometry, per.
export function avgPoolTask(params: usize, task: i32, _scratch: usize): void {
  const src = ptr(params, 0), dst = ptr(params, 1), backward = word(params, 2) != 0;
  const planes = word(params, 3), h = word(params, 4), w = word(params, 5), oh = word(params, 6), ow = word(params, 7);
  const kh = word(params, 8), kw = word(params, 9), sh = word(params, 10), sw = word(params, 11), ph = word(params, 12), pw = word(params, 13);
  const per = word(params, 15);
  const p0 = task * per, p1 = min(planes, p0 + per);
  const tiled = kh == 2 && kw == 2 && sh == 2 && sw == 2 && ph == 0 && pw == 0;
  // dx outside every window stays 0
  if (backward && p1 > p0 && !(tiled && 2 * oh == h && 2 * ow == w)) zeroFloats(at(dst, p0 * h * w), (p1 - p0) * h * w);
  if (tiled) {
    for (let p = p0; p < p1; p++) {
      if (backward) avgPool2x2Plane(at(src, p * oh * ow), at(dst, p * h * w), true, w, oh, ow);
      else avgPool2x2Plane(at(src, p * h * w), at(dst, p * oh * ow), false, w, oh, ow);
    }
    return;
  }
  for (let p = p0; p < p1; p++) {
    const img = at(backward ? dst : src, p * h * w);
    for (let i: i32 = 0; i < oh; i++) {
      const ys = i * sh - ph, y0 = max(0, ys), y1 = min(h, ys + kh);
      for (let j: i32 = 0; j < ow; j++) {
        const xs = j * sw - pw, x0 = max(0, xs), x1 = min(w, xs + kw);
        const o = (p * oh + i) * ow + j;
        const d = divisor(params, y0, y1, x0, x1);
        if (backward) {
          const v = <f64>load<f32>(at(src, o)) / d;
          for (let y = y0; y < y1; y++) {
            for (let xx = x0; xx < x1; xx++) {
              const q = at(img, y * w + xx);
              store<f32>(q, <f32>(<f64>load<f32>(q) + v));
            }
          }
        } else {
          let s: f64 = 0;
          for (let y = y0; y < y1; y++) for (let xx = x0; xx < x1; xx++) s += <f64>load<f32>(at(img, y * w + xx));
          store<f32>(at(dst, o), <f32>(s / d));
        }
      }
    }
  }
}
