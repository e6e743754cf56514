// `npm run bench:train [-- --quick] [--json] [--steps N] [--busy N] [--fixed-threads] [--filter TEXT]`: milliseconds per
// training step (forward, backward, SGD update, loss read) of
//   (a) the `kshot train` recipe network (NAS-Bench-201 C=8 N=1, 1x28x28),
//   (b) the main job's K=4 supernet (C=8 N=1, 1x28x28),
//   (c) the paper's CIFAR-size K=4 supernet (C=16 N=5, 3x32x32),
// all at batch 64, with 1 kernel thread and with every core, and PyTorch
// on (a) and (c) with the same thread counts where `import torch` works
// (an optional peer, never a dependency), and the speedup the machine gives
// independent copies of the one-thread step run at once (train_copies.ts).
// With --busy N, everything runs beside N spinning one-thread processes
// (another tenant's jobs), and a third lane times the one-thread step with
// them paused: the idle reference of the same run, in place of the copies.
// The kernel team uses the cores those processes leave free unless
// --fixed-threads keeps it whole (machine_load.ts).
// Ratios come from one run.
import { spawnSync } from "node:child_process";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { team } from "../engine/cpu/wasm/team.js";
import { parseBusy, startBusy } from "./busy_processes.js";
import { timeBesideCopies } from "./train_copies.js";
import { estimateMedian, type MedianEstimate } from "./median_interval.js";
import { median } from "./timing.js";
import { runStep, trainCases, type TrainCase } from "./train_cases.js";

const args = process.argv.slice(2);
const json = args.includes("--json"), quick = args.includes("--quick");
// --fixed-threads: every call large enough runs on the whole team, also while other processes hold cores
team.adaptive = !args.includes("--fixed-threads");
const stepsAt = args.indexOf("--steps");
const steps = stepsAt >= 0 ? Number(args[stepsAt + 1]) : quick ? 3 : 8;
if (!(Number.isInteger(steps) && steps >= 1)) throw new Error(`bench:train: --steps expects a positive integer, received '${args[stepsAt + 1]}'`);
const filterAt = args.indexOf("--filter");
const filter = filterAt >= 0 ? args[filterAt + 1] ?? "" : "";
/** The cases whose name holds the filter, each with its index in trainCases (the copy workers build theirs from it). */
const cases = trainCases.map((c, index) => ({ ...c, index })).filter((c) => c.name.includes(filter));
if (cases.length === 0) throw new Error(`bench:train: no case's name contains '${filter}'; the cases: ${trainCases.map((c) => c.name).join("; ")}`);
const cores = availableParallelism();
const threadCounts = [...new Set([1, cores])];
const busy = await startBusy(parseBusy(args, "bench:train"));
/** The lane of the one-thread step timed with the busy processes paused. */
const IDLE = 0;
/** The lanes that take turns: each thread count, and with --busy the one-thread step with the busy processes paused (0). */
const lanes = busy.count > 0 ? [...threadCounts, IDLE] : threadCounts;

/**
 * Median milliseconds per step for each thread count, over `steps` timed
 * steps each, after two untimed ones, and the median over turns of each
 * turn's speedup against one thread. The thread counts take turns step by
 * step, each on its own copy of the case (same seed, so the same paths), so
 * that the machine's drift falls on all of them alike; the step time of one
 * thread alone swings by a third here from one step to the next, so a ratio
 * of two medians would still carry that noise.
 */
function timeSteps(make: TrainCase["make"]): { ms: Map<number, number>; speedup: Map<number, MedianEstimate>; vsIdle: Map<number, MedianEstimate> } {
  const setups = lanes.map(() => make());
  const times = lanes.map((): number[] => []);
  for (let i = 0; i < steps + 2; i++) {
    lanes.forEach((lane, j) => {
      if (lane === IDLE) pauseBusy();
      team.threads = lane === IDLE ? 1 : lane;
      const t0 = performance.now();
      runStep(setups[j]!);
      if (i >= 2) times[j]!.push(performance.now() - t0);
      if (lane === IDLE) resumeBusy();
    });
  }
  for (const s of setups) s.dispose();
  const idle = times[lanes.indexOf(IDLE)];
  return {
    ms: new Map(lanes.map((lane, j) => [lane, median(times[j]!)])),
    speedup: new Map(lanes.map((lane, j) => [lane, estimateMedian(times[0]!.map((t1, i) => t1 / times[j]![i]!))])),
    vsIdle: new Map(idle === undefined ? [] : threadCounts.map((threads, j) => [threads, estimateMedian(times[j]!.map((t, i) => t / idle[i]!))])),
  };
}

/** Lets a signal reach the busy processes and the scheduler act on it before the next timing. */
function settle(): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
}
function pauseBusy(): void {
  busy.pause();
  settle();
}
function resumeBusy(): void {
  busy.resume();
  settle();
}

/**
 * glibc malloc settings for the PyTorch peer: keep freed memory instead of
 * returning it to the system. By default PyTorch's CPU allocator gets each
 * large tensor from mmap and gives it back at free, so every step pays page
 * faults again; in this machine's VM those made its recipe step take 49-158
 * ms (2 threads, from step to step) against a steady 38-47 ms with these
 * settings (2^25 is the largest mmap threshold glibc accepts). kshot keeps
 * its heap, so the peer is measured at its best too.
 */
const TORCH_MALLOC = { MALLOC_MMAP_THRESHOLD_: String(2 ** 25), MALLOC_TRIM_THRESHOLD_: String(2 ** 32), MALLOC_TOP_PAD_: String(2 ** 28) };

/** PyTorch's milliseconds per step by case and thread count, or why there are none. */
function torchPeer(): Map<string, number> | string {
  const python = ["python3", "/usr/bin/python3"].find((p) => spawnSync(p, ["-c", "import torch"], { stdio: "ignore" }).status === 0);
  if (python === undefined) return "no python3 with torch here: PyTorch columns skipped";
  const script = fileURLToPath(new URL("./peers/torch_train.py", import.meta.url));
  const torchCases = cases.flatMap((c) => (c.torch ? [c.torch] : []));
  const r = spawnSync(python, [script, "--threads", threadCounts.join(","), "--steps", String(steps), "--cases", torchCases.join(",")],
    { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, ...TORCH_MALLOC } });
  if (r.status !== 0) return `the PyTorch peer failed (exit ${r.status})`;
  const out = new Map<string, number>();
  for (const line of r.stdout.trim().split("\n")) {
    const { case: c, threads, ms_per_step: ms } = JSON.parse(line) as { case: string; threads: number; ms_per_step: number };
    out.set(`${c}/${threads}`, ms);
  }
  return out;
}

const kshot = new Map<string, number>(), speedups = new Map<string, MedianEstimate>(), vsIdle = new Map<string, MedianEstimate>();
/** Per case, the median of cores x (one-thread step alone) / (the same beside cores - 1 busy copies): the machine's own ceiling. */
const ceiling = new Map<string, MedianEstimate>();
for (const c of cases) {
  const timed = timeSteps(c.make);
  for (const lane of lanes) {
    kshot.set(`${c.name}/${lane}`, timed.ms.get(lane)!);
    speedups.set(`${c.name}/${lane}`, timed.speedup.get(lane)!);
    if (timed.vsIdle.has(lane)) vsIdle.set(`${c.name}/${lane}`, timed.vsIdle.get(lane)!);
  }
  if (cores > 1 && busy.count === 0) ceiling.set(c.name, (await timeBesideCopies(c.index, cores - 1, steps)).speedup);
}
team.stop();
const peer = torchPeer();
busy.stop();

const fmt = (v: number | undefined) => (v === undefined ? "—" : v.toFixed(1));
const withInterval = (s: MedianEstimate) => `${s.median.toFixed(2)}x [${s.interval[0].toFixed(2)}, ${s.interval[1].toFixed(2)}]`;
const lastColumn = busy.count > 0 ? "x idle 1-thread time" : "copies at once";
if (!json) {
  console.log(`ms per training step, batch 64, median of ${steps} steps; speedups are medians of each turn's own ratio, 90% bootstrap interval in brackets (${new Date().toISOString()}, node ${process.version}, ${cores} cores)`);
  if (typeof peer === "string") console.log(peer);
  if (busy.count > 0) console.log(`beside ${busy.count} busy one-thread process${busy.count > 1 ? "es" : ""} (PyTorch too); "idle": one thread with them paused, in the same turns; ${lastColumn}: each turn's step time over its idle one-thread step`);
  else if (cores > 1) console.log(`copies at once: ${cores} x (one-thread step alone) / (the same step beside ${cores - 1} independent busy cop${cores > 2 ? "ies" : "y"}), the most ${cores} threads could give here`);
  console.log(`${"case".padEnd(34)} ${"threads".padStart(7)} ${"kshot".padStart(9)} ${"pytorch".padStart(9)} ${"kshot/pt".padStart(9)} ${"vs 1 thread".padStart(20)} ${lastColumn.padStart(20)}`);
}
for (const c of cases) {
  for (const lane of lanes) {
    const threads = lane === IDLE ? 1 : lane;
    const ms = kshot.get(`${c.name}/${lane}`)!;
    const pt = typeof peer === "string" || c.torch === undefined || lane === IDLE ? undefined : peer.get(`${c.torch}/${threads}`);
    const speedup = speedups.get(`${c.name}/${lane}`)!;
    const copies = threads === cores && lane !== IDLE ? ceiling.get(c.name) : undefined;
    const timesIdle = vsIdle.get(`${c.name}/${lane}`);
    if (json) {
      console.log(JSON.stringify({ case: c.name, threads, busy: lane === IDLE ? 0 : busy.count, kshot_ms: ms, pytorch_ms: pt ?? null, ratio_to_pytorch: pt === undefined ? null : ms / pt,
        speedup_vs_1_thread: speedup.median, speedup_interval_90: lane !== 1 ? speedup.interval : null,
        copies_at_once: copies?.median ?? null, copies_interval_90: copies?.interval ?? null,
        time_vs_idle_1_thread: timesIdle?.median ?? null, time_vs_idle_interval_90: timesIdle?.interval ?? null }));
    } else {
      const vsOne = lane !== 1 ? withInterval(speedup) : `${speedup.median.toFixed(2)}x`;
      const last = busy.count > 0 ? (timesIdle === undefined ? "—" : withInterval(timesIdle)) : copies === undefined ? "—" : withInterval(copies);
      console.log(`${c.name.padEnd(34)} ${(lane === IDLE ? "1 idle" : String(threads)).padStart(7)} ${fmt(ms).padStart(9)} ${fmt(pt).padStart(9)} ${(pt === undefined ? "—" : `${(ms / pt).toFixed(2)}x`).padStart(9)} ${vsOne.padStart(20)} ${last.padStart(20)}`);
    }
  }
}
