// A thread of the CPU kernel team (engine/cpu/wasm/team.ts): instantiates the
// kernels over the shared memory, then runs the tasks of the queued calls in
// order (team_queue.mjs), sleeping when the queue stays empty. Plain
// JavaScript, so that it starts without a TypeScript loader.
import { workerData } from "node:worker_threads";
import { CALL, CONTROL, runClaims, slotOf } from "./team_queue.mjs";

const { module, memory, control, queue, claims: claimBuffer, ran: ranBuffer, ranStride, id, kernels, epoch } = workerData;
const ctl = new Int32Array(control);
const q = new Int32Array(queue);
const ran = new Int32Array(ranBuffer);
const claims = new BigUint64Array(claimBuffer);
const exports = new WebAssembly.Instance(module, { env: { memory } }).exports;
const fns = kernels.map((name) => exports[name]);

let idleSince = performance.now();
while (Atomics.load(ctl, CONTROL.epoch) === epoch) {
  const gen = Atomics.load(ctl, CONTROL.gen), head = Atomics.load(ctl, CONTROL.head);
  let mine = 0;
  // beyond the team's size (for now), or beyond the threads a shared call may use: leave it to the others
  if (head !== Atomics.load(ctl, CONTROL.tail) && id < Atomics.load(ctl, CONTROL.size)) {
    const slot = slotOf(head), threads = q[slot + CALL.threads];
    if (threads === 1 || id < threads) {
      const scratch = Atomics.load(ctl, CONTROL.scratch) + id * Atomics.load(ctl, CONTROL.stride);
      // from the back of the call's tasks (the main thread takes the front); a
      // failure is reported by the main thread's sync(), from the error word
      mine = runClaims(ctl, q, claims, ran, id * ranStride, slot, head, true, fns, scratch);
    }
  }
  if (mine > 0) {
    idleSince = performance.now();
    continue;
  }
  if (id >= Atomics.load(ctl, CONTROL.size)) idleSince = -Infinity; // not in the team for now: sleep until needed
  // Poll for a while before sleeping: waking a sleeping thread costs
  // hundreds of microseconds here, and a training step posts work every
  // few hundred. How long, the main thread says (shorter on a crowded
  // machine, where polling takes time from the team's own work).
  if (performance.now() - idleSince > Atomics.load(ctl, CONTROL.spinUs) / 1000) {
    Atomics.add(ctl, CONTROL.sleepers, 1);
    Atomics.wait(ctl, CONTROL.gen, gen);
    Atomics.sub(ctl, CONTROL.sleepers, 1);
    idleSince = performance.now();
  } else {
    for (let i = 0; i < 256 && Atomics.load(ctl, CONTROL.gen) === gen; i++);
  }
}
