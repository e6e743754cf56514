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
// (another tenant's jobs), and more lanes time the one-thread step with
// them paused, kshot's and PyTorch's: each side's idle reference in the same
// run, in place of the copies. On up to 4 cores there is one such lane per
// core, pinned, and the reference is their mean: cores of one VM differ in
// speed (core_pin.ts), and a thread beside busy processes gets a share of
// each.
// The kernel team uses the cores those processes leave free unless
// --fixed-threads keeps it whole (machine_load.ts).
// Ratios come from one run, PyTorch's steps in turns with kshot's (torch_peer.ts).
import { availableParallelism } from "node:os";
import { team } from "../engine/cpu/wasm/team.js";
import { parseBusy, settle, settleAfterPause, startBusy } from "./busy_processes.js";
import { timeBesideCopies } from "./train_copies.js";
import { estimateMedian, type MedianEstimate } from "./median_interval.js";
import { median } from "./timing.js";
import { PIN_CORE, canPin, pinThread, pinnedCommand } from "./core_pin.js";
import { idleCore, idleLanes, idleReference, isIdle } from "./idle_lanes.js";
import { TorchPeer, torchPeerCommand } from "./torch_peer.js";
import { runStep, trainCases, type TrainCase } from "./train_cases.js";

const args = process.argv.slice(2);
const json = args.includes("--json"), quick = args.includes("--quick");
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
// The team adapts to other tenants (--busy) unless --fixed-threads keeps it whole; the PyTorch peer's
// turns are this benchmark's own, not a neighbour's.
team.adaptive = busy.count > 0 && !args.includes("--fixed-threads");
/** Idle runs time the one-thread lanes, kshot's and PyTorch's, on one core (core_pin.ts); beside busy processes the scheduler places them. */
const pin = busy.count === 0 && cores > 1 && canPin();
const allCores = `0-${cores - 1}`;
/** With --busy, the lanes of the one-thread step with the busy processes paused (idle_lanes.ts). */
const idle = idleLanes(busy.count, cores, canPin());
/** The lanes that take turns: each thread count, then the idle lanes. */
const lanes = [...threadCounts, ...idle];

/** The PyTorch peers, one per thread count, started with every case that has one; or why there are none. */
const torchCases = cases.flatMap((c) => (c.torch ? [c.torch] : []));
const peers = await startPeers();
async function startPeers(): Promise<Map<number, TorchPeer> | string> {
  if (torchCases.length === 0) return "no case here has a PyTorch peer";
  const command = torchPeerCommand();
  if (typeof command === "string") return command;
  const started = new Map<number, TorchPeer>();
  for (const threads of threadCounts) {
    const peer = await TorchPeer.start(pin && threads === 1 ? pinnedCommand(command, PIN_CORE) : command, torchCases, threads);
    if (typeof peer === "string") {
      for (const p of started.values()) p.stop();
      return peer;
    }
    started.set(threads, peer);
  }
  return started;
}

interface Timed {
  ms: Map<number, number>;
  speedup: Map<number, MedianEstimate>;
  vsIdle: Map<number, MedianEstimate>;
  /** PyTorch's median milliseconds per step by lane, and each lane's median of each turn's kshot/PyTorch ratio. */
  torchMs: Map<number, number>;
  vsTorch: Map<number, MedianEstimate>;
  /** With --busy, PyTorch's step time over its own idle one-thread step, turn by turn, by thread count. */
  torchVsIdle: Map<number, MedianEstimate>;
}

/**
 * Median milliseconds per step for each thread count, over `steps` timed
 * steps each, after two untimed ones, and the median over turns of each
 * turn's speedup against one thread. The thread counts take turns step by
 * step, each on its own copy of the case (same seed, so the same paths), so
 * that the machine's drift falls on all of them alike; the step time of one
 * thread alone swings by a third here from one step to the next, so a ratio
 * of two medians would still carry that noise. Each lane's turn is two
 * steps, the second timed, so that each is timed with its threads awake and
 * its data in the caches, as in a training loop, rather than just after
 * another lane's step. The PyTorch peer's steps (`torch`, its case) take
 * their turns too, after kshot's, two at a time in the same way, with a
 * pause before each side so that neither's threads still spin in the
 * other's.
 */
async function timeSteps(make: TrainCase["make"], torch: string | undefined): Promise<Timed> {
  const setups = lanes.map(() => make());
  // an adaptive team beside busy processes runs steps of its own after each pause (settleAfterPause)
  const settler = busy.count > 0 && team.adaptive ? make() : undefined;
  const settleTeam = () => {
    if (settler === undefined) return;
    team.threads = cores;
    settleAfterPause(() => runStep(settler));
  };
  const times = lanes.map((): number[] => []);
  const withTorch = torch !== undefined && typeof peers !== "string";
  const torchTimes = new Map(lanes.map((lane) => [lane, [] as number[]]));
  for (let i = 0; i < steps + 2; i++) {
    if (withTorch) settle();
    lanes.forEach((lane, j) => {
      if (isIdle(lane)) pauseBusy();
      team.threads = isIdle(lane) ? 1 : lane;
      const core = pin && lane === 1 ? PIN_CORE : idleCore(lane);
      if (core !== undefined) pinThread(process.pid, String(core));
      runStep(setups[j]!);
      const t0 = performance.now();
      runStep(setups[j]!);
      if (i >= 2) times[j]!.push(performance.now() - t0);
      if (core !== undefined) pinThread(process.pid, allCores);
      if (isIdle(lane)) {
        resumeBusy();
        settleTeam();
      }
    });
    if (!withTorch) continue;
    for (const lane of lanes) {
      if (isIdle(lane)) pauseBusy();
      else settle();
      const peer = peers.get(isIdle(lane) ? 1 : lane)!, core = idleCore(lane);
      if (core !== undefined) pinThread(peer.pid, String(core));
      await peer.step(torch);
      const ms = await peer.step(torch);
      if (core !== undefined) pinThread(peer.pid, allCores);
      if (i >= 2) torchTimes.get(lane)!.push(ms);
      if (isIdle(lane)) resumeBusy();
    }
    settleTeam();
  }
  for (const s of setups) s.dispose();
  settler?.dispose();
  const idleTimes = idleReference(idle.map((lane) => times[lanes.indexOf(lane)]!));
  const torchIdle = withTorch ? idleReference(idle.map((lane) => torchTimes.get(lane)!)) : undefined;
  const perTurn = (a: number[], b: number[]) => estimateMedian(a.map((t, i) => t / b[i]!));
  return {
    ms: new Map(lanes.map((lane, j) => [lane, median(times[j]!)])),
    speedup: new Map(lanes.map((lane, j) => [lane, perTurn(times[0]!, times[j]!)])),
    vsIdle: new Map(idleTimes === undefined ? [] : threadCounts.map((threads, j) => [threads, perTurn(times[j]!, idleTimes)])),
    torchMs: new Map(withTorch ? lanes.map((lane) => [lane, median(torchTimes.get(lane)!)]) : []),
    vsTorch: new Map(withTorch ? lanes.map((lane, j) => [lane, perTurn(times[j]!, torchTimes.get(lane)!)]) : []),
    torchVsIdle: new Map(withTorch && torchIdle !== undefined ? threadCounts.map((t) => [t, perTurn(torchTimes.get(t)!, torchIdle)]) : []),
  };
}

function pauseBusy(): void {
  busy.pause();
  settle();
}
function resumeBusy(): void {
  busy.resume();
  settle();
}

const kshot = new Map<string, number>(), speedups = new Map<string, MedianEstimate>(), vsIdle = new Map<string, MedianEstimate>();
const torchMs = new Map<string, number>(), vsTorch = new Map<string, MedianEstimate>(), torchVsIdle = new Map<string, MedianEstimate>();
/** Per case, the median of cores x (one-thread step alone) / (the same beside cores - 1 busy copies): the machine's own ceiling. */
const ceiling = new Map<string, MedianEstimate>();
for (const c of cases) {
  const timed = await timeSteps(c.make, c.torch);
  for (const lane of lanes) {
    kshot.set(`${c.name}/${lane}`, timed.ms.get(lane)!);
    speedups.set(`${c.name}/${lane}`, timed.speedup.get(lane)!);
    if (timed.vsIdle.has(lane)) vsIdle.set(`${c.name}/${lane}`, timed.vsIdle.get(lane)!);
    if (timed.torchMs.has(lane)) {
      torchMs.set(`${c.name}/${lane}`, timed.torchMs.get(lane)!);
      vsTorch.set(`${c.name}/${lane}`, timed.vsTorch.get(lane)!);
    }
    if (timed.torchVsIdle.has(lane)) torchVsIdle.set(`${c.name}/${lane}`, timed.torchVsIdle.get(lane)!);
  }
  if (cores > 1 && busy.count === 0) ceiling.set(c.name, (await timeBesideCopies(c.index, cores - 1, steps)).speedup);
}
team.stop();
if (typeof peers !== "string") for (const p of peers.values()) p.stop();
busy.stop();

const fmt = (v: number | undefined) => (v === undefined ? "—" : v.toFixed(1));
const withInterval = (s: MedianEstimate) => `${s.median.toFixed(2)}x [${s.interval[0].toFixed(2)}, ${s.interval[1].toFixed(2)}]`;
const lastColumn = busy.count > 0 ? "x idle 1-thread time" : "copies at once";
if (!json) {
  console.log(`ms per training step, batch 64, median of ${steps} steps; kshot/pt and speedups are medians of each turn's own ratio, 90% bootstrap interval in brackets (${new Date().toISOString()}, node ${process.version}, ${cores} cores)`);
  if (typeof peers === "string") console.log(peers);
  if (pin) console.log(`one-thread lanes, kshot's and PyTorch's, pinned to core ${PIN_CORE} (taskset)`);
  if (busy.count > 0) {
    const where = idleCore(idle[0]!) === undefined ? "" : ` (idle0, idle1, ...: pinned to core 0, 1, ...; the idle step is their mean, as cores may differ in speed)`;
    console.log(`beside ${busy.count} busy one-thread process${busy.count > 1 ? "es" : ""} (PyTorch too); "idle": one thread with them paused, in the same turns, PyTorch's too${where}; ${lastColumn}: each turn's step time over its idle one-thread step, kshot's and PyTorch's own`);
  }
  else if (cores > 1) console.log(`copies at once: ${cores} x (one-thread step alone) / (the same step beside ${cores - 1} independent busy cop${cores > 2 ? "ies" : "y"}), the most ${cores} threads could give here`);
  const torchIdleColumn = busy.count > 0 ? ` ${"pt x idle 1-thread".padStart(20)}` : "";
  console.log(`${"case".padEnd(34)} ${"threads".padStart(7)} ${"kshot".padStart(9)} ${"pytorch".padStart(9)} ${"kshot/pt".padStart(20)} ${"vs 1 thread".padStart(20)} ${lastColumn.padStart(20)}${torchIdleColumn}`);
}
for (const c of cases) {
  for (const lane of lanes) {
    const threads = isIdle(lane) ? 1 : lane;
    const ms = kshot.get(`${c.name}/${lane}`)!;
    const pt = torchMs.get(`${c.name}/${lane}`), ratio = vsTorch.get(`${c.name}/${lane}`);
    const speedup = speedups.get(`${c.name}/${lane}`)!;
    const copies = threads === cores && !isIdle(lane) ? ceiling.get(c.name) : undefined;
    const timesIdle = vsIdle.get(`${c.name}/${lane}`), torchTimesIdle = torchVsIdle.get(`${c.name}/${lane}`);
    if (json) {
      console.log(JSON.stringify({ case: c.name, threads, busy: isIdle(lane) ? 0 : busy.count, core: idleCore(lane) ?? null, kshot_ms: ms, pytorch_ms: pt ?? null, ratio_to_pytorch: ratio?.median ?? null, ratio_to_pytorch_interval_90: ratio?.interval ?? null,
        speedup_vs_1_thread: speedup.median, speedup_interval_90: lane !== 1 ? speedup.interval : null,
        copies_at_once: copies?.median ?? null, copies_interval_90: copies?.interval ?? null,
        time_vs_idle_1_thread: timesIdle?.median ?? null, time_vs_idle_interval_90: timesIdle?.interval ?? null,
        pytorch_time_vs_idle_1_thread: torchTimesIdle?.median ?? null, pytorch_time_vs_idle_interval_90: torchTimesIdle?.interval ?? null }));
    } else {
      const vsOne = lane !== 1 ? withInterval(speedup) : `${speedup.median.toFixed(2)}x`;
      const last = busy.count > 0 ? (timesIdle === undefined ? "—" : withInterval(timesIdle)) : copies === undefined ? "—" : withInterval(copies);
      const torchLast = busy.count > 0 ? ` ${(torchTimesIdle === undefined ? "—" : withInterval(torchTimesIdle)).padStart(20)}` : "";
      console.log(`${c.name.padEnd(34)} ${(isIdle(lane) ? `1 idle${idleCore(lane) ?? ""}` : String(threads)).padStart(7)} ${fmt(ms).padStart(9)} ${fmt(pt).padStart(9)} ${(ratio === undefined ? "—" : withInterval(ratio)).padStart(20)} ${vsOne.padStart(20)} ${last.padStart(20)}${torchLast}`);
    }
  }
}
