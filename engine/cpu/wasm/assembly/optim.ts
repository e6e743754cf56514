// AssemblyScript: the optimiser's in-place updates as tasks of the thread
// team, over groups of tensors (as PyTorch's foreach optimisers): a call's
// tasks run through each group's elements, `per` at a time, the groups in
// order. Every operation is done in f64 and rounded to f32, as Math.fround
// of the same double arithmetic, so an update gives the bits the same rule
// written as float32 element-wise ops gives (engine/cpu/kernels/optim.ts).

import { f32At as at, f64Word, ptr, word } from "./params";

// @ts-ignore: decorator
@inline
function round(v: f64): f64 {
  return <f64><f32>v;
}

// The group that task `task` falls in, and its first element, packed as
// group << 32 | first: groups of `count` start at word `base`, `stride`
// words apiece, each with its element count at word `nAt` of its own.
function locate(params: usize, count: i32, base: i32, stride: i32, nAt: i32, per: i32, task: i32): i64 {
  let t = task;
  for (let group = 0; group < count; group++) {
    const tasks = (word(params, base + group * stride + nAt) + per - 1) / per;
    if (t < tasks) return (<i64>group << 32) | <i64>(t * per);
    t -= tasks;
  }
  unreachable(); // past the last group's tasks: the call was posted with too many
  return 0;
}

export const SGD_MOMENTUM = 1, SGD_NESTEROV = 2;
const SGD_BASE = 9, SGD_STRIDE = 5;

// SGD with weight decay, momentum and Nesterov, in place on each group's p
// and buf. Words: groups per flags, then lr, mu, wd as f64 at words 3, 5, 7;
// from word 9, five per group: p g buf n firstStep.
export function sgdTask(params: usize, task: i32, _scratch: usize): void {
  const per = word(params, 1), flags = word(params, 2);
  const lr = f64Word(params, 3), mu = f64Word(params, 5), wd = f64Word(params, 7);
  const momentum = (flags & SGD_MOMENTUM) != 0, nesterov = (flags & SGD_NESTEROV) != 0;
  const at0 = locate(params, word(params, 0), SGD_BASE, SGD_STRIDE, 3, per, task);
  const w = SGD_BASE + <i32>(at0 >> 32) * SGD_STRIDE, i0 = <i32>at0;
  const p = ptr(params, w), g = ptr(params, w + 1), buf = ptr(params, w + 2), first = word(params, w + 4) != 0;
  const i1 = min(word(params, w + 3), i0 + per);
  for (let i = i0; i < i1; i++) {
    const pv = <f64>load<f32>(at(p, i));
    let d = <f64>load<f32>(at(g, i));
    if (wd != 0) d = round(d + round(pv * wd));
    if (momentum) {
      const b = first ? d : round(round(<f64>load<f32>(at(buf, i)) * mu) + d);
      store<f32>(at(buf, i), <f32>b);
      d = nesterov ? round(d + round(b * mu)) : b;
    }
    store<f32>(at(p, i), <f32>(pv - round(d * lr)));
  }
}

const AVERAGE_BASE = 4, AVERAGE_STRIDE = 5;

// t = (1 - m) t + m (scale v), in place on each pair's t. Words: pairs per,
// then m as f64 at word 2; from word 4, five per pair: t v n, then its
// scale as f64.
export function movingAverageTask(params: usize, task: i32, _scratch: usize): void {
  const per = word(params, 1), m = f64Word(params, 2), keep = 1 - m;
  const at0 = locate(params, word(params, 0), AVERAGE_BASE, AVERAGE_STRIDE, 2, per, task);
  const w = AVERAGE_BASE + <i32>(at0 >> 32) * AVERAGE_STRIDE, i0 = <i32>at0;
  const t = ptr(params, w), v = ptr(params, w + 1), scale = f64Word(params, w + 3);
  const i1 = min(word(params, w + 2), i0 + per);
  for (let i = i0; i < i1; i++) {
    store<f32>(at(t, i), <f32>(round(<f64>load<f32>(at(t, i)) * keep) + round(round(<f64>load<f32>(at(v, i)) * scale) * m)));
  }
}
