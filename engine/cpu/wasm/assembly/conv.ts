// AssemblyScript: the layout transforms of convolution as GEMM (im2col and
// its adjoint col2im) and direct depthwise convolution. Pointers are byte
// offsets into this module's memory; images are CHW, one batch item at a time
// for im2col/col2im, and the whole NCHW batch for depthwise.

import { copyFloats, zeroFloats } from "./floats";
import { madd } from "./madd";

// First output index o in [0, outLen) with o*s - p + k >= 0, and one past the
// last with o*s - p + k < len: the range where a kernel tap reads inside the image.
// @ts-ignore: decorator
@inline
function lo(k: i32, s: i32, p: i32): i32 {
  const d = p - k;
  return d <= 0 ? 0 : (d + s - 1) / s;
}
// @ts-ignore: decorator
@inline
function hi(k: i32, s: i32, p: i32, len: i32, outLen: i32): i32 {
  const d = len - 1 + p - k;
  return d < 0 ? 0 : min(outLen, d / s + 1);
}

// With stride 2, output columns xo go four at a time while xo + 4 <= the
// returned end: below x1, and with image columns 2xo + off .. 2xo + off + 7
// (off = j - pw; lo() keeps 2xo + off >= 0) inside the row of w, so that the eight
// read (or read and written back) never leave the image's row.
// @ts-ignore: decorator
@inline
function pairedEnd(x1: i32, w: i32, off: i32): i32 {
  return min(x1, (w - off) >> 1);
}

// col[(ci*kh + i)*kw + j][y*ow + x] = image[ci][y*sh - ph + i][x*sw - pw + j], 0 outside;
// rows of col are ld floats apart (oh*ow when the matrix is one image's alone).
export function im2col(x: usize, c: i32, h: i32, w: i32, kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32,
  oh: i32, ow: i32, col: usize, ld: i32): void {
  const plane = oh * ow;
  for (let ci: i32 = 0; ci < c; ci++) {
    for (let i: i32 = 0; i < kh; i++) {
      const y0 = lo(i, sh, ph), y1 = hi(i, sh, ph, h, oh);
      for (let j: i32 = 0; j < kw; j++) {
        const row = col + (<usize>(((ci * kh + i) * kw + j) * ld) << 2);
        const x0 = lo(j, sw, pw), x1 = hi(j, sw, pw, w, ow);
        if (sh == 1 && sw == 1 && ow == w && x1 > x0 && y1 > y0) {
          // source and destination rows share their stride: one copy for
          // all rows, then zero what it brought in from beyond the edges
          const src = x + (<usize>((ci * h + y0 - ph + i) * w - pw + j) << 2);
          zeroFloats(row, y0 * ow + x0);
          copyFloats(row + (<usize>(y0 * ow + x0) << 2), src + (<usize>x0 << 2), (y1 - 1 - y0) * ow + x1 - x0);
          for (let y = y0; y < y1 - 1; y++) zeroFloats(row + (<usize>(y * ow + x1) << 2), ow - x1 + x0);
          zeroFloats(row + (<usize>((y1 - 1) * ow + x1) << 2), (oh - y1 + 1) * ow - x1);
          continue;
        }
        zeroFloats(row, plane);
        if (x1 <= x0) continue;
        for (let y = y0; y < y1; y++) {
          const src = x + (<usize>((ci * h + y * sh - ph + i) * w - pw + j) << 2);
          const dst = row + (<usize>(y * ow) << 2);
          if (sw == 1) {
            copyFloats(dst + (<usize>x0 << 2), src + (<usize>x0 << 2), x1 - x0);
          } else {
            let xo = x0;
            if (sw == 2) {
              // four outputs from eight inputs, the even ones
              for (const end = pairedEnd(x1, w, j - pw); xo + 4 <= end; xo += 4) {
                const at = src + (<usize>(2 * xo) << 2);
                v128.store(dst + (<usize>xo << 2), v128.shuffle<f32>(v128.load(at), v128.load(at, 16), 0, 2, 4, 6));
              }
            }
            for (; xo < x1; xo++) store<f32>(dst + (<usize>xo << 2), load<f32>(src + (<usize>(xo * sw) << 2)));
          }
        }
      }
    }
  }
}

// Adjoint of im2col: image[ci][..] += col[..]; the image must be zeroed by the caller.
export function col2im(col: usize, c: i32, h: i32, w: i32, kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32,
  oh: i32, ow: i32, x: usize): void {
  const plane = oh * ow;
  for (let ci: i32 = 0; ci < c; ci++) {
    for (let i: i32 = 0; i < kh; i++) {
      const y0 = lo(i, sh, ph), y1 = hi(i, sh, ph, h, oh);
      for (let j: i32 = 0; j < kw; j++) {
        const row = col + (<usize>(((ci * kh + i) * kw + j) * plane) << 2);
        const x0 = lo(j, sw, pw), x1 = hi(j, sw, pw, w, ow);
        for (let y = y0; y < y1; y++) {
          const dst = x + (<usize>((ci * h + y * sh - ph + i) * w - pw + j) << 2);
          const src = row + (<usize>(y * ow) << 2);
          if (sw == 1) {
            axpy(dst, src, 1, x0, x1);
          } else {
            let xo = x0;
            if (sw == 2) {
              // four inputs onto the even ones of eight outputs, zeros onto the odd ones (which are
              // never -0: they start at +0 and sums that cancel give +0)
              const zero = f32x4.splat(0);
              for (const end = pairedEnd(x1, w, j - pw); xo + 4 <= end; xo += 4) {
                const d = dst + (<usize>(2 * xo) << 2), v = v128.load(src + (<usize>xo << 2));
                v128.store(d, f32x4.add(v128.load(d), v128.shuffle<f32>(v, zero, 0, 4, 1, 5)));
                v128.store(d, f32x4.add(v128.load(d, 16), v128.shuffle<f32>(v, zero, 2, 6, 3, 7)), 16);
              }
            }
            for (; xo < x1; xo++) {
              const d = dst + (<usize>(xo * sw) << 2);
              store<f32>(d, load<f32>(d) + load<f32>(src + (<usize>xo << 2)));
            }
          }
        }
      }
    }
  }
}

// dst[o] += a * src[o] for o in [o0, o1).
// @ts-ignore: decorator
@inline
function axpy(dst: usize, src: usize, a: f32, o0: i32, o1: i32): void {
  const av = f32x4.splat(a);
  let o = o0;
  for (; o + 4 <= o1; o += 4) {
    const d = dst + (<usize>o << 2);
    v128.store(d, madd(av, v128.load(src + (<usize>o << 2)), v128.load(d)));
  }
  for (; o < o1; o++) {
    const d = dst + (<usize>o << 2);
    store<f32>(d, load<f32>(d) + a * load<f32>(src + (<usize>o << 2)));
  }
}

// sum over o in [o0, o1) of p[o] * q[o].
// @ts-ignore: decorator
@inline
function dot(p: usize, q: usize, o0: i32, o1: i32): f32 {
  let acc = f32x4.splat(0);
  let o = o0;
  for (; o + 4 <= o1; o += 4) {
    acc = madd(v128.load(p + (<usize>o << 2)), v128.load(q + (<usize>o << 2)), acc);
  }
  let s = f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1) + f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3);
  for (; o < o1; o++) s += load<f32>(p + (<usize>o << 2)) * load<f32>(q + (<usize>o << 2));
  return s;
}

// The two passes of depthwise convolution over planes [p0, p1) of the N*C
// (plane i uses filter i % c): forward gathers y[r][o] += w * x[r*sh - ph + i][o*sw - pw + j];
// its adjoint scatters dx[...same index...] += w * dy[r][o]. `img` is x or dx
// (h x wd planes), `out` is y or dy (oh x ow planes); the pass zeroes the planes it writes.
export function depthwisePassRange(img: usize, w: usize, out: usize, adjoint: bool, p0: i32, p1: i32, c: i32, h: i32, wd: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32, oh: i32, ow: i32): void {
  const planeFloats = adjoint ? h * wd : oh * ow;
  zeroFloats((adjoint ? img : out) + (<usize>(p0 * planeFloats) << 2), (p1 - p0) * planeFloats);
  for (let p: i32 = p0; p < p1; p++) {
    const ip = img + (<usize>(p * h * wd) << 2);
    const op = out + (<usize>(p * oh * ow) << 2);
    const wp = w + (<usize>((p % c) * kh * kw) << 2);
    for (let i: i32 = 0; i < kh; i++) {
      const y0 = lo(i, sh, ph), y1 = hi(i, sh, ph, h, oh);
      for (let j: i32 = 0; j < kw; j++) {
        const a = load<f32>(wp + (<usize>(i * kw + j) << 2));
        const x0 = lo(j, sw, pw), x1 = hi(j, sw, pw, wd, ow);
        for (let r = y0; r < y1; r++) {
          // the image row, offset by the tap so that output column o meets image column o*sw
          const imgRow = ip + (<usize>((r * sh - ph + i) * wd - pw + j) << 2);
          const outRow = op + (<usize>(r * ow) << 2);
          if (sw == 1) {
            if (adjoint) axpy(imgRow, outRow, a, x0, x1);
            else axpy(outRow, imgRow, a, x0, x1);
          } else {
            for (let o = x0; o < x1; o++) {
              const im = imgRow + (<usize>(o * sw) << 2), ou = outRow + (<usize>o << 2);
              if (adjoint) store<f32>(im, load<f32>(im) + a * load<f32>(ou));
              else store<f32>(ou, load<f32>(ou) + a * load<f32>(im));
            }
          }
        }
      }
    }
  }
}

// Filter gradient of channels [c0, c1): each filter is zeroed, then the
// gradients of its planes are added in image order.
export function depthwiseFilterRange(x: usize, dy: usize, dw: usize, n: i32, c0: i32, c1: i32, c: i32, h: i32, wd: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32, oh: i32, ow: i32): void {
  zeroFloats(dw + (<usize>(c0 * kh * kw) << 2), (c1 - c0) * kh * kw);
  for (let ch: i32 = c0; ch < c1; ch++) {
    const wp = dw + (<usize>(ch * kh * kw) << 2);
    for (let img: i32 = 0; img < n; img++) {
      const p = img * c + ch;
      const xp = x + (<usize>(p * h * wd) << 2);
      const dyp = dy + (<usize>(p * oh * ow) << 2);
      for (let i: i32 = 0; i < kh; i++) {
        const y0 = lo(i, sh, ph), y1 = hi(i, sh, ph, h, oh);
        for (let j: i32 = 0; j < kw; j++) {
          const x0 = lo(j, sw, pw), x1 = hi(j, sw, pw, wd, ow);
          let acc: f32 = 0;
          for (let r = y0; r < y1; r++) {
            const src = xp + (<usize>((r * sh - ph + i) * wd - pw + j) << 2);
            const g = dyp + (<usize>(r * ow) << 2);
            if (sw == 1) {
              acc += dot(src, g, x0, x1);
            } else {
              for (let o = x0; o < x1; o++) acc += load<f32>(src + (<usize>(o * sw) << 2)) * load<f32>(g + (<usize>o << 2));
            }
          }
          const d = wp + (<usize>(i * kw + j) << 2);
          store<f32>(d, load<f32>(d) + acc);
        }
      }
    }
  }
}
