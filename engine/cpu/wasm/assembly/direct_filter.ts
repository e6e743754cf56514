// AssemblyScript: the filter gradient of the direct kernel (direct_conv.ts),
// in its flat layout: dw[co][ci][ky][kx] = the sum over images and flat
// positions i of dy[co][i] * x[ci][i + ky*wp + kx], where dy is zero at the
// dropped positions.
//
// The images are cut into runs, fixed by the shape. A task places the images
// of its run in its scratch (x padded, dy in rows wp apart), a group that
// fits the L2 cache at a time, and adds them in order to the run's
// accumulators: for every block of FCOB filters, input channel, kernel row
// and run of 3 kernel columns, 3 * FCOB vectors of four lanes.
// At its end, each accumulator's lanes, summed pairwise, give the run's
// gradient; the caller sums the runs' gradients in order (sumSlicesTask).
// The sums do not depend on the threads.

import { zeroFloats } from "./floats";
import { lanes } from "./lanes";
import { madd } from "./madd";
import { directFlatLength, directRowFloats, directSlackFloats, place } from "./direct_conv";
import { f32At, word } from "./params";

// Filters per block: 3, with 9 accumulators; 2 with a multiply and an add,
// whose product takes one more register (V8 allocates 15), which would spill
// an accumulator to the stack and halve the speed.
const FCOB: i32 = ASC_FEATURE_RELAXED_SIMD ? 3 : 2;
// Accumulators per block, kernel row and run of 3 columns (the most FCOB).
const ACCS: i32 = 9;

// @ts-ignore: decorator
@inline function blocks(cout: i32): i32 { return (cout + FCOB - 1) / FCOB; }
// @ts-ignore: decorator
@inline function chunks(kw: i32): i32 { return (kw + 2) / 3; }
// Floats of one (block, input channel)'s accumulators.
// @ts-ignore: decorator
@inline function pairFloats(kh: i32, kw: i32): i32 { return kh * chunks(kw) * ACCS * 4; }

// Floats of one run's accumulators.
// @ts-ignore: decorator
@inline function accFloats(c: i32, cout: i32, kh: i32, kw: i32): i32 { return blocks(cout) * c * pairFloats(kh, kw); }

// Floats of one placed image: x padded, the slack read past its last plane
// (zeros: it is read where dy is zero, but 0 * NaN would not be 0), and dy in
// rows wp apart.
// @ts-ignore: decorator
@inline
function imageFloats(c: i32, cout: i32, h: i32, w: i32, kh: i32, kw: i32, ph: i32, pw: i32): i32 {
  const wp = directRowFloats(w, pw);
  return c * (h + 2 * ph) * wp + directSlackFloats(kw) + cout * directFlatLength((h + 2 * ph - kh + 1) * wp);
}

// Images a task places at a time: as many of its run as fit GROUP_FLOATS
// (the L2 cache), so that each block of filters and input channel sweeps
// them with its accumulators in the L1 cache.
const GROUP_FLOATS: i32 = 65536;
// @ts-ignore: decorator
@inline
function groupImages(per: i32, imageFloats: i32): i32 {
  return max(1, min(per, GROUP_FLOATS / imageFloats));
}

// Scratch floats per thread of directFilterRunTask with runs of `per`
// images: the run's accumulators and a group of placed images.
export function directFilterScratchFloats(per: i32, c: i32, cout: i32, h: i32, w: i32, kh: i32, kw: i32, ph: i32, pw: i32): i32 {
  const image = imageFloats(c, cout, h, w, kh, kw, ph, pw);
  return accFloats(c, cout, kh, kw) + groupImages(per, image) * image;
}

// Words: x dy partials n per c h w cout kh kw ph pw. Run `run`: images
// run*per .. min(n, run*per + per) - 1, summed into partials[run], a
// gradient of dw's shape.
export function directFilterRunTask(params: usize, run: i32, scratch: usize): void {
  const x = <usize>word(params, 0), dy = <usize>word(params, 1);
  const n = word(params, 3), per = word(params, 4), c = word(params, 5), h = word(params, 6), w = word(params, 7);
  const cout = word(params, 8), kh = word(params, 9), kw = word(params, 10), ph = word(params, 11), pw = word(params, 12);
  const wp = directRowFloats(w, pw), plane = (h + 2 * ph) * wp;
  const oh = h + 2 * ph - kh + 1, ow = w + 2 * pw - kw + 1, lr = directFlatLength(oh * wp);
  const image = imageFloats(c, cout, h, w, kh, kw, ph, pw), group = groupImages(per, image);
  const accs = scratch, placed = f32At(accs, accFloats(c, cout, kh, kw));
  const dyAt = c * plane + directSlackFloats(kw);
  zeroFloats(accs, accFloats(c, cout, kh, kw));
  const last = min(n, run * per + per);
  for (let first = run * per; first < last; first += group) {
    const count = min(group, last - first);
    for (let i: i32 = 0; i < count; i++) {
      const at = f32At(placed, i * image);
      place(f32At(x, (first + i) * c * h * w), c, h, w, at, plane, wp, ph, pw, directSlackFloats(kw));
      place(f32At(dy, (first + i) * cout * oh * ow), cout, oh, ow, f32At(at, dyAt), lr, wp, 0, 0, 0);
    }
    let acc = accs;
    for (let cb: i32 = 0; cb < cout; cb += FCOB) {
      // a partial last block reads its last filter again; the sums drop it
      const s1 = f32At(0, (min(cb + 1, cout - 1) - cb) * lr), s2 = f32At(0, (min(cb + 2, cout - 1) - cb) * lr);
      for (let ci: i32 = 0; ci < c; ci++) {
        for (let i: i32 = 0; i < count; i++) {
          const at = f32At(placed, i * image);
          accumulateImage(f32At(at, ci * plane), f32At(at, dyAt + cb * lr), s1, s2, lr, wp, kh, kw, acc);
        }
        acc += <usize>pairFloats(kh, kw) << 2;
      }
    }
  }
  storeRun(accs, f32At(<usize>word(params, 2), run * cout * c * kh * kw), c, cout, kh, kw);
}

// One image's plane of x and FCOB planes of dy (s1, s2 bytes after d0) into
// their accumulators at acc, a kernel row and run of 3 columns at a time.
// @ts-ignore: decorator
@inline
function accumulateImage(x0: usize, d0: usize, s1: usize, s2: usize, lr: i32, wp: i32, kh: i32, kw: i32, acc: usize): void {
  const end = d0 + (<usize>lr << 2);
  for (let ky: i32 = 0; ky < kh; ky++) {
    for (let kx0: i32 = 0; kx0 < kw; kx0 += 3) {
      let a00 = v128.load(acc), a01 = v128.load(acc, 16), a02 = v128.load(acc, 32);
      let a10 = v128.load(acc, 48), a11 = v128.load(acc, 64), a12 = v128.load(acc, 80);
      let a20 = f32x4.splat(0), a21 = f32x4.splat(0), a22 = f32x4.splat(0);
      if (FCOB > 2) {
        a20 = v128.load(acc, 96); a21 = v128.load(acc, 112); a22 = v128.load(acc, 128);
      }
      let x = f32At(x0, ky * wp + kx0);
      for (let p0 = d0; p0 < end; p0 += 16, x += 16) {
        const v0 = v128.load(x), v1 = v128.load(x, 4), v2 = v128.load(x, 8);
        let d = v128.load(p0);
        a00 = madd(d, v0, a00); a01 = madd(d, v1, a01); a02 = madd(d, v2, a02);
        d = v128.load(p0 + s1);
        a10 = madd(d, v0, a10); a11 = madd(d, v1, a11); a12 = madd(d, v2, a12);
        if (FCOB > 2) {
          d = v128.load(p0 + s2);
          a20 = madd(d, v0, a20); a21 = madd(d, v1, a21); a22 = madd(d, v2, a22);
        }
      }
      v128.store(acc, a00); v128.store(acc, a01, 16); v128.store(acc, a02, 32);
      v128.store(acc, a10, 48); v128.store(acc, a11, 64); v128.store(acc, a12, 80);
      if (FCOB > 2) {
        v128.store(acc, a20, 96); v128.store(acc, a21, 112); v128.store(acc, a22, 128);
      }
      acc += ACCS * 16;
    }
  }
}

// The run's gradient: each accumulator's lanes summed pairwise, (lane 0 +
// lane 1) + (lane 2 + lane 3), four accumulators at a time (a transpose by
// shuffles), the sums written over the accumulators' start; then each put in
// its place in dw.
// @ts-ignore: decorator
@inline
function storeRun(accs: usize, dw: usize, c: i32, cout: i32, kh: i32, kw: i32): void {
  const count = accFloats(c, cout, kh, kw) >> 2;
  let k: i32 = 0;
  for (; k + 4 <= count; k += 4) {
    const p = accs + (<usize>k << 4);
    const a = v128.load(p), b = v128.load(p, 16), cc = v128.load(p, 32), d = v128.load(p, 48);
    // lanes 0 + 1 and 2 + 3 of a and b (a0+a1, a2+a3, b0+b1, b2+b3), then of
    // c and d; every shuffle takes two lanes of each operand (x64's shufps)
    const ab = f32x4.add(v128.shuffle<f32>(a, b, 0, 2, 4, 6), v128.shuffle<f32>(a, b, 1, 3, 5, 7));
    const cd = f32x4.add(v128.shuffle<f32>(cc, d, 0, 2, 4, 6), v128.shuffle<f32>(cc, d, 1, 3, 5, 7));
    v128.store(accs + (<usize>k << 2), f32x4.add(v128.shuffle<f32>(ab, cd, 0, 2, 4, 6), v128.shuffle<f32>(ab, cd, 1, 3, 5, 7)));
  }
  for (; k < count; k++) store<f32>(accs + (<usize>k << 2), lanes(v128.load(accs + (<usize>k << 4))));
  let sums = accs;
  const filter = <usize>(c * kh * kw) << 2;
  for (let cb: i32 = 0; cb < cout; cb += FCOB) {
    const filters = min(FCOB, cout - cb);
    for (let ci: i32 = 0; ci < c; ci++) {
      for (let ky: i32 = 0; ky < kh; ky++) {
        for (let kx0: i32 = 0; kx0 < kw; kx0 += 3) {
          const at = f32At(dw, ((cb * c + ci) * kh + ky) * kw + kx0);
          if (filters == FCOB && kx0 + 3 <= kw) {
            // a whole block: FCOB filters' three taps
            store<f32>(at, load<f32>(sums)); store<f32>(at, load<f32>(sums, 4), 4); store<f32>(at, load<f32>(sums, 8), 8);
            store<f32>(at + filter, load<f32>(sums, 12)); store<f32>(at + filter, load<f32>(sums, 16), 4); store<f32>(at + filter, load<f32>(sums, 20), 8);
            if (FCOB > 2) {
              store<f32>(at + 2 * filter, load<f32>(sums, 24)); store<f32>(at + 2 * filter, load<f32>(sums, 28), 4); store<f32>(at + 2 * filter, load<f32>(sums, 32), 8);
            }
          } else {
            for (let j: i32 = 0; j < filters; j++) {
              for (let t: i32 = 0; t < min(3, kw - kx0); t++) store<f32>(at + <usize>j * filter + (<usize>t << 2), load<f32>(f32At(sums, j * 3 + t)));
            }
          }
          sums += ACCS * 4;
        }
      }
    }
  }
}
