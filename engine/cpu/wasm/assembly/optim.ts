// AssemblyScript: the optimiser's in-place updates as tasks of the thread
// team, over elements [task * per, task * per + per). Every operation is
// done in f64 and rounded to f32, as Math.fround of the same double
// arithmetic, so an update gives the bits the same rule written as float32
// element-wise ops gives (engine/cpu/kernels/optim.ts).

import { f32At as at, f64Word, ptr, word } from "./params";

// @ts-ignore: decorator
@inline
function round(v: f64): f64 {
  return <f64><f32>v;
}

export const SGD_MOMENTUM = 1, SGD_FIRST_STEP = 2, SGD_NESTEROV = 4;

// SGD with weight decay, momentum and Nesterov, in place on p and buf.
// Words: p g buf n per flags, then lr, mu, wd as f64 at words 6, 8, 10.
export function sgdTask(params: usize, task: i32, _scratch: usize): void {
  const p = ptr(params, 0), g = ptr(params, 1), buf = ptr(params, 2);
  const n = word(params, 3), per = word(params, 4), flags = word(params, 5);
  const lr = f64Word(params, 6), mu = f64Word(params, 8), wd = f64Word(params, 10);
  const momentum = (flags & SGD_MOMENTUM) != 0, first = (flags & SGD_FIRST_STEP) != 0, nesterov = (flags & SGD_NESTEROV) != 0;
  const i1 = min(n, (task + 1) * per);
  for (let i = task * per; i < i1; i++) {
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

// t = (1 - m) t + m (scale v), in place on t. Words: t v n per, then m and
// scale as f64 at words 4 and 6.
export function movingAverageTask(params: usize, task: i32, _scratch: usize): void {
  const t = ptr(params, 0), v = ptr(params, 1), n = word(params, 2), per = word(params, 3);
  const m = f64Word(params, 4), scale = f64Word(params, 6), keep = 1 - m;
  const i1 = min(n, (task + 1) * per);
  for (let i = task * per; i < i1; i++) {
    store<f32>(at(t, i), <f32>(round(<f64>load<f32>(at(t, i)) * keep) + round(round(<f64>load<f32>(at(v, i)) * scale) * m)));
  }
}
