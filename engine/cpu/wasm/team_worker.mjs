// A thread of the CPU kernel team (engine/cpu/wasm/team.ts): instantiates the
// kernels over the shared memory, then runs its share of each batch of tasks
// that the main thread posts in the control block. Plain JavaScript, so that
// it starts without a TypeScript loader.
import { workerData } from "node:worker_threads";

const { module, memory, control, id, kernels, slots, spinMs, seen: started } = workerData;
const ctl = new Int32Array(control);
const exports = new WebAssembly.Instance(module, { env: { memory } }).exports;
const fns = kernels.map((name) => exports[name]);

let seen = started;
let idleSince = performance.now();
for (;;) {
  const gen = Atomics.load(ctl, slots.gen);
  if (gen === seen) {
    // Poll for a while before sleeping: waking a sleeping thread costs
    // hundreds of microseconds here, and a training step posts work every
    // few hundred.
    if (performance.now() - idleSince > spinMs) {
      Atomics.wait(ctl, slots.gen, seen);
      idleSince = performance.now();
    } else {
      for (let i = 0; i < 256 && Atomics.load(ctl, slots.gen) === seen; i++);
    }
    continue;
  }
  const kernel = ctl[slots.kernel], params = ctl[slots.params], tasks = ctl[slots.tasks];
  const threads = ctl[slots.threads], scratch = ctl[slots.scratch] + id * ctl[slots.stride];
  if (Atomics.load(ctl, slots.gen) !== gen) continue; // a newer batch was posted while reading: read that one
  seen = gen;
  if (kernel < 0) break;
  if (id >= threads) continue;
  try {
    for (let t = id; t < tasks; t += threads) fns[kernel](params, t, scratch);
  } catch {
    Atomics.store(ctl, slots.error, 1);
  }
  Atomics.add(ctl, slots.done, 1);
  Atomics.notify(ctl, slots.done);
  idleSince = performance.now();
}
