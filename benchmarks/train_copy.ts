// One independent copy of a bench:train step (see train_copies.ts): builds
// the case on one thread, says it is ready, then steps whenever told to go,
// counted in the running slot, until told to exit.
import { workerData } from "node:worker_threads";
import { team } from "../engine/cpu/wasm/team.js";
import { COPY_RUN, COPY_SLOTS } from "./train_copies.js";
import { runStep, trainCases } from "./train_cases.js";

const { control, index } = workerData as { control: SharedArrayBuffer; index: number };
const c = new Int32Array(control);
team.threads = 1;
const setup = trainCases[index]!.make();
runStep(setup);
Atomics.add(c, COPY_SLOTS.ready, 1);
for (;;) {
  const run = Atomics.load(c, COPY_SLOTS.run);
  if (run === COPY_RUN.exit) break;
  if (run === COPY_RUN.pause) {
    Atomics.wait(c, COPY_SLOTS.run, COPY_RUN.pause, 100);
    continue;
  }
  Atomics.add(c, COPY_SLOTS.running, 1);
  Atomics.notify(c, COPY_SLOTS.running);
  while (Atomics.load(c, COPY_SLOTS.run) === COPY_RUN.go) runStep(setup);
  Atomics.sub(c, COPY_SLOTS.running, 1);
  Atomics.notify(c, COPY_SLOTS.running);
}
setup.dispose();
