// `npm run bench:busy-loop [-- --busy N] [--turns T] [--fixed-threads]`: what two kernel
// threads can give beside N busy one-thread processes (2 by default) when a
// step has no serial part: back-to-back 3x3 convolutions (16 channels, 14x14,
// batch 64, Winograd's kernel, about 1 ms each on one thread), with no
// backward pass and no JavaScript between calls to speak of. One and two
// threads take turns, with the busy processes paused (idle) and running; each
// ratio is the median of each turn's own ratio, 90% interval in brackets.
// The team adapts to the load unless --fixed-threads keeps it whole and
// polling 5 ms.
//
// It separates what sharing calls costs beside other processes from the
// serial part of a training step (bench:train --busy), which runs on the
// calling thread alone.
import { Rng, randn, tidy, waitForKernels } from "../engine/index.js";
import { conv2d } from "../autograd/ops/conv.js";
import { team } from "../engine/cpu/wasm/team.js";
import { parseBusy, settle, settleAfterPause, startBusy } from "./busy_processes.js";
import { estimateMedian } from "./median_interval.js";
import { median } from "./timing.js";

const args = process.argv.slice(2);
const busyCount = args.includes("--busy") ? parseBusy(args, "bench:busy-loop") : 2;
if (busyCount < 1) throw new Error("bench:busy-loop: --busy expects at least one busy process (the idle turns are timed with them paused)");
const turnsAt = args.indexOf("--turns");
const turns = turnsAt >= 0 ? Number(args[turnsAt + 1]) : 15;
if (!(Number.isInteger(turns) && turns >= 1)) throw new Error(`bench:busy-loop: --turns expects a positive integer, received '${args[turnsAt + 1]}'`);

/** Convolutions per timed block. */
const CALLS = 20;
const rng = new Rng(1);
const x = randn([64, 16, 14, 14], rng), w = randn([16, 16, 3, 3], rng);
const block = () => {
  tidy(() => { for (let i = 0; i < CALLS; i++) conv2d(x, w, { padding: 1 }).dispose(); });
  waitForKernels(); // the calls queued last
};
// The team adapts to the load as a user's does (machine_load.ts: beside one busy process on 2 cores it
// runs one thread, beside two it runs both and polls briefly) unless --fixed-threads keeps it whole.
team.adaptive = !args.includes("--fixed-threads");
const busy = await startBusy(busyCount);

/** Milliseconds per convolution, the block run once untimed first so that the threads are awake. */
function msPerCall(threads: number, idle: boolean): number {
  team.threads = threads;
  if (idle) busy.pause();
  settle();
  block();
  const t0 = performance.now();
  block();
  const ms = (performance.now() - t0) / CALLS;
  if (idle) busy.resume();
  return ms;
}

const lanes = [
  { name: "1 thread, idle", threads: 1, idle: true },
  { name: "2 threads, idle", threads: 2, idle: true },
  { name: `1 thread, beside ${busyCount} busy`, threads: 1, idle: false },
  { name: `2 threads, beside ${busyCount} busy`, threads: 2, idle: false },
];
const times = lanes.map((): number[] => []);
for (let turn = 0; turn < turns; turn++) {
  lanes.forEach((lane, j) => {
    times[j]!.push(msPerCall(lane.threads, lane.idle));
    if (lane.idle && !lanes[j + 1]?.idle && team.adaptive) {
      team.threads = 2;
      settleAfterPause(block);
    }
  });
}
busy.stop();
team.stop();

const idleOne = times[0]!;
const overIdle = (v: number[]) => estimateMedian(v.map((t, i) => t / idleOne[i]!));
const fmt = (e: { median: number; interval: [number, number] }) => `${e.median.toFixed(2)}x [${e.interval[0].toFixed(2)}, ${e.interval[1].toFixed(2)}]`;
console.log(`ms per 3x3 convolution (16 channels, 14x14, batch 64), median of ${turns} turns; time over the idle one-thread call, 90% interval (${new Date().toISOString()}, node ${process.version})`);
lanes.forEach((lane, j) => console.log(`${lane.name.padEnd(28)} ${median(times[j]!).toFixed(3).padStart(8)} ms ${fmt(overIdle(times[j]!)).padStart(22)}`));
