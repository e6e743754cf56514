// AssemblyScript: Sum/Mean and BroadcastTo over coalesced axes (see
// engine/cpu/kernels/strided.ts), as tasks over blocks of output elements.
// Words: x, out, rank m, then per task kernel below, then shape[m],
// xStrides[m], outStrides[m] from word 8.

import { f32At as at, ptr, word } from "./params";

const AXES = 8;

// @ts-ignore: decorator
@inline
function axis(params: usize, table: i32, a: i32): i32 {
  return word(params, AXES + table * word(params, 2) + a);
}

// Output elements [task * per, ...) of a sum over the axes whose out stride
// is 0, accumulated in f64 in x's row-major order, divided by `count` and
// rounded once. When the last axis is summed, each of its rows is summed
// apart and then added, as the JavaScript walk over rows did, so the bits
// are the same. Words 3-5: count, outputs per task, outputs.
export function reduceTask(params: usize, task: i32, _scratch: usize): void {
  const x = ptr(params, 0), out = ptr(params, 1), m = word(params, 2);
  const count = <f64>word(params, 3), per = word(params, 4), size = word(params, 5);
  const last = m - 1;
  const rowSummed = axis(params, 2, last) == 0;
  const n = rowSummed ? axis(params, 0, last) : 1, sx = axis(params, 1, last);
  // positions of the summed axes other than a summed row
  const outer = rowSummed ? last : m;
  let reduced = 1;
  for (let a = 0; a < outer; a++) if (axis(params, 2, a) == 0) reduced *= axis(params, 0, a);
  const o1 = min(size, (task + 1) * per);
  for (let o = task * per; o < o1; o++) {
    let rest = o, base = 0;
    for (let a = 0; a < m; a++) {
      const os = axis(params, 2, a);
      if (os == 0) continue;
      const i = rest / os;
      rest -= i * os;
      base += i * axis(params, 1, a);
    }
    let acc: f64 = 0;
    for (let r = 0; r < reduced; r++) {
      let q = r, off = base;
      for (let a = outer - 1; a >= 0; a--) {
        if (axis(params, 2, a) != 0) continue;
        const d = axis(params, 0, a);
        off += (q % d) * axis(params, 1, a);
        q /= d;
      }
      if (rowSummed) {
        let s: f64 = 0;
        for (let i = 0; i < n; i++) s += <f64>load<f32>(at(x, off + i * sx));
        acc += s;
      } else {
        acc += <f64>load<f32>(at(x, off));
      }
    }
    store<f32>(at(out, o), <f32>(acc / count));
  }
}

// Output elements [task * per, ...) of x repeated along the axes where its
// stride is 0; 4-byte values copied as bits, so any dtype. Words 3-4:
// outputs per task, outputs.
export function broadcastTask(params: usize, task: i32, _scratch: usize): void {
  const x = ptr(params, 0), out = ptr(params, 1), m = word(params, 2);
  const per = word(params, 3), size = word(params, 4);
  const last = m - 1, n = axis(params, 0, last), sx = axis(params, 1, last);
  let o = task * per;
  const o1 = min(size, o + per);
  while (o < o1) {
    // x's offset at o, then the rest of o's row
    let rest = o, off = 0;
    for (let a = last; a >= 0; a--) {
      const d = axis(params, 0, a);
      off += (rest % d) * axis(params, 1, a);
      rest /= d;
    }
    const end = min(o1, o - (o % n) + n);
    for (; o < end; o++, off += sx) store<i32>(at(out, o), load<i32>(at(x, off)));
  }
}
