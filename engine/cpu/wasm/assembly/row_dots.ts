// AssemblyScript: P = A B^T (+ P) for a few rows of A and B over a long k,
// as dot products of rows, with no packing: the filter gradient of a
// convolution with few channels and filters (dy_i x_i^T over an image's
// pixels), where packing both operands for the GEMM costs about as much as
// the products. Rows of A are lda floats apart, rows of B ldb, rows of P
// ldp. Four rows of A against two of B at a time, k four lanes at a time;
// every element is summed the same way whichever block computes it: its
// lanes in k order, then (lane 0 + lane 1) + (lane 2 + lane 3), then the
// k % 4 tail in order.

import { lanes } from "./lanes";
import { madd } from "./madd";

// @ts-ignore: decorator
@inline
function put(p: usize, v: f32, accumulate: bool): void {
  store<f32>(p, accumulate ? load<f32>(p) + v : v);
}

function tail(a: usize, b: usize, k4: i32, k: i32): f32 {
  let s: f32 = 0;
  for (let t = k4; t < k; t++) s += load<f32>(a + (<usize>t << 2)) * load<f32>(b + (<usize>t << 2));
  return s;
}

function dot(a: usize, b: usize, k: i32): f32 {
  const k4 = k & ~3;
  let acc = f32x4.splat(0);
  for (let t: i32 = 0; t < k4; t += 4) {
    const o = <usize>t << 2;
    acc = madd(v128.load(a + o), v128.load(b + o), acc);
  }
  return lanes(acc) + tail(a, b, k4, k);
}

export function rowDots(m: i32, n: i32, k: i32, a: usize, lda: i32, b: usize, ldb: i32, p: usize, ldp: i32, accumulate: bool): void {
  const k4 = k & ~3;
  let i: i32 = 0;
  for (; i + 4 <= m; i += 4) {
    const a0 = a + (<usize>(i * lda) << 2), a1 = a0 + (<usize>lda << 2), a2 = a1 + (<usize>lda << 2), a3 = a2 + (<usize>lda << 2);
    const p0 = p + (<usize>(i * ldp) << 2), p1 = p0 + (<usize>ldp << 2), p2 = p1 + (<usize>ldp << 2), p3 = p2 + (<usize>ldp << 2);
    let j: i32 = 0;
    for (; j + 2 <= n; j += 2) {
      const b0 = b + (<usize>(j * ldb) << 2), b1 = b0 + (<usize>ldb << 2);
      let c00 = f32x4.splat(0), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
      for (let t: i32 = 0; t < k4; t += 4) {
        const o = <usize>t << 2;
        const x0 = v128.load(b0 + o), x1 = v128.load(b1 + o);
        let y = v128.load(a0 + o);
        c00 = madd(y, x0, c00);
        c01 = madd(y, x1, c01);
        y = v128.load(a1 + o);
        c10 = madd(y, x0, c10);
        c11 = madd(y, x1, c11);
        y = v128.load(a2 + o);
        c20 = madd(y, x0, c20);
        c21 = madd(y, x1, c21);
        y = v128.load(a3 + o);
        c30 = madd(y, x0, c30);
        c31 = madd(y, x1, c31);
      }
      const q = <usize>j << 2;
      put(p0 + q, lanes(c00) + tail(a0, b0, k4, k), accumulate);
      put(p0 + q + 4, lanes(c01) + tail(a0, b1, k4, k), accumulate);
      put(p1 + q, lanes(c10) + tail(a1, b0, k4, k), accumulate);
      put(p1 + q + 4, lanes(c11) + tail(a1, b1, k4, k), accumulate);
      put(p2 + q, lanes(c20) + tail(a2, b0, k4, k), accumulate);
      put(p2 + q + 4, lanes(c21) + tail(a2, b1, k4, k), accumulate);
      put(p3 + q, lanes(c30) + tail(a3, b0, k4, k), accumulate);
      put(p3 + q + 4, lanes(c31) + tail(a3, b1, k4, k), accumulate);
    }
    for (; j < n; j++) {
      const bj = b + (<usize>(j * ldb) << 2), q = <usize>j << 2;
      put(p0 + q, dot(a0, bj, k), accumulate);
      put(p1 + q, dot(a1, bj, k), accumulate);
      put(p2 + q, dot(a2, bj, k), accumulate);
      put(p3 + q, dot(a3, bj, k), accumulate);
    }
  }
  for (; i < m; i++) {
    const ai = a + (<usize>(i * lda) << 2), pi = p + (<usize>(i * ldp) << 2);
    for (let j: i32 = 0; j < n; j++) put(pi + (<usize>j << 2), dot(ai, b + (<usize>(j * ldb) << 2), k), accumulate);
  }
}
