// A thread of the CPU kernel team (engine/cpu/wasm/team.ts): instantiates the
// kernels over the shared memory, then, each time the main thread posts a
// call in the control block, claims and runs that call's tasks until none are
// left (claims.mjs). Plain JavaScript, so that it starts without a TypeScript
// loader.
import { workerData } from "node:worker_threads";
import { callOf, claimTask, firstWord, isClosed } from "./claims.mjs";

const { module, memory, control, claims: claimBuffer, ran: ranBuffer, ranStride, id, kernels, slots, seen: started, epoch } = workerData;
const ctl = new Int32Array(control);
const ran = new Int32Array(ranBuffer);
const claims = new BigInt64Array(claimBuffer);
const exports = new WebAssembly.Instance(module, { env: { memory } }).exports;
const fns = kernels.map((name) => exports[name]);

let seen = started;
let idleSince = performance.now();
for (;;) {
  const gen = Atomics.load(ctl, slots.gen);
  if (gen === seen) {
    // Poll for a while before sleeping: waking a sleeping thread costs
    // hundreds of microseconds here, and a training step posts work every
    // few hundred. How long, the main thread says (shorter on a crowded
    // machine, where polling takes time from the team's own work).
    if (performance.now() - idleSince > Atomics.load(ctl, slots.spinUs) / 1000) {
      Atomics.wait(ctl, slots.gen, seen);
      idleSince = performance.now();
    } else {
      for (let i = 0; i < 256 && Atomics.load(ctl, slots.gen) === seen; i++);
    }
    continue;
  }
  seen = gen;
  // Read the call's settings between two reads of word 0: the main thread
  // closes it before it changes them, so an open call whose number did not
  // change means the settings read belong to it. The epoch is read after
  // word 0, so a call posted after a stop is never taken by a stopped thread.
  const word = firstWord(claims);
  if (Atomics.load(ctl, slots.epoch) !== epoch) break;
  if (isClosed(word)) continue; // being posted: its gen comes next
  const call = callOf(word);
  const kernel = Atomics.load(ctl, slots.kernel), params = Atomics.load(ctl, slots.params), tasks = Atomics.load(ctl, slots.tasks);
  const threads = Atomics.load(ctl, slots.threads), size = Atomics.load(ctl, slots.size);
  const scratch = Atomics.load(ctl, slots.scratch) + id * Atomics.load(ctl, slots.stride);
  if (callOf(firstWord(claims)) !== call) continue;
  if (id >= size) idleSince = -Infinity; // not in the team for now: sleep until needed
  if (id >= threads) continue;
  for (let t = claimTask(claims, call, tasks, threads, id); t >= 0; t = claimTask(claims, call, tasks, threads, id)) {
    try {
      fns[kernel](params, t, scratch);
    } catch {
      Atomics.store(ctl, slots.error, 1);
    }
    Atomics.add(ran, id * ranStride, 1);
    if (Atomics.add(ctl, slots.done, 1) + 1 === tasks) Atomics.notify(ctl, slots.done);
  }
  idleSince = performance.now();
}
