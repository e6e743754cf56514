import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { cpus } from "node:os";
import { after, describe, it } from "node:test";
import { Rng, engine, kernels as K, randn, setKernelThreadsAdaptive } from "../../engine/index.js";
import { HOLD_WINDOWS, LoadWatch, MIN_RUNNABLE, WINDOW_MS, crowdedForLoad, othersDemand, runnableFraction, parseProcStat, parseSchedstat, sampleNow, threadsForLoad, type LoadSample } from "../../engine/cpu/wasm/machine_load.js";
import { team } from "../../engine/cpu/wasm/team.js";
import { startBusy, type BusyProcesses } from "../../benchmarks/busy_processes.js";

/**
 * The sample `ms` after `a` on 2 CPUs at 100 ticks a second: `busyCores` of the 2 busy, this process on `ownCores`,
 * the sampling thread runnable `runnable` of the time and running `share` of that.
 */
function later(a: LoadSample, ms: number, busyCores: number, ownCores: number, share: number, runnable = 1): LoadSample {
  const ticks = (2 * ms) / 10;
  return {
    at: a.at + ms, busyTicks: a.busyTicks + (ticks * busyCores) / 2, totalTicks: a.totalTicks + ticks, ownMicros: a.ownMicros + ownCores * ms * 1e3,
    runNs: a.runNs + runnable * share * ms * 1e6, waitNs: a.waitNs + runnable * (1 - share) * ms * 1e6,
  };
}

/** Between two samples: busy cores, this process's cores, the thread's share of its runnable time, and (default 1) that time's fraction. */
type Window = [busyCores: number, ownCores: number, share: number, runnable?: number];

/** A watch on 2 CPUs whose samples, long past so that each call takes one, lie a window apart with `windows[i]` between samples i and i + 1. */
function watchOver(windows: Window[]): { watch: LoadWatch; taken: () => number } {
  let s: LoadSample = { at: performance.now() - 100 * WINDOW_MS, busyTicks: 0, totalTicks: 0, ownMicros: 0, runNs: 0, waitNs: 0 };
  let taken = 0;
  const watch = new LoadWatch(() => {
    if (taken > 0) s = later(s, WINDOW_MS, ...windows[taken - 1]!);
    taken++;
    return s;
  }, 2);
  return { watch, taken: () => taken };
}

function window(ms: number, busyCores: number, ownCores: number, share: number): [LoadSample, LoadSample] {
  const a: LoadSample = { at: 1000, busyTicks: 500, totalTicks: 2000, ownMicros: 7e6, runNs: 3e9, waitNs: 1e8 };
  return [a, later(a, ms, busyCores, ownCores, share)];
}

describe("machine load", () => {
  it("reads busy and total ticks from /proc/stat, leaving out time stolen by the hypervisor", () => {
    // user nice system idle iowait irq softirq steal guest guest_nice
    const stat = "cpu  2202727 8 421432 1107141 5982 3 9008 777 0 0\ncpu0 1 2 3 4 5 6 7 8 9 10\n";
    assert.deepEqual(parseProcStat(stat), { busy: 2202727 + 8 + 421432 + 3 + 9008, total: 2202727 + 8 + 421432 + 3 + 9008 + 1107141 + 5982 });
    assert.throws(() => parseProcStat("intr 1 2 3\n"), /machine load: unexpected \/proc\/stat line 'intr 1 2 3'/);
    // the summed line's label, and user..softirq at least (older kernels end there)
    assert.throws(() => parseProcStat("cpu0 1 2 3 4 5 6 7 8\n"), /unexpected \/proc\/stat line 'cpu0 1 2 3 4 5 6 7 8'/);
    assert.throws(() => parseProcStat("cpu 1 2 3 4 5 6\n"), /unexpected \/proc\/stat line/);
    assert.deepEqual(parseProcStat("cpu 1 2 4 8 16 32 64\n"), { busy: 1 + 2 + 4 + 32 + 64, total: 127 });
  });

  it("reads run and wait nanoseconds from a schedstat file", () => {
    assert.deepEqual(parseSchedstat("3582058 362277 2\n"), { run: 3582058, wait: 362277 });
    assert.throws(() => parseSchedstat("3582058\n"), /unexpected schedstat '3582058'/);
    assert.throws(() => parseSchedstat("a b c"), /unexpected schedstat/);
    assert.throws(() => parseSchedstat("5 x 7"), /unexpected schedstat '5 x 7'/);
    assert.deepEqual(parseSchedstat("5  7"), { run: 5, wait: 7 });
  });

  it("counts other processes' threads that want a core: the cores they kept busy over the share a thread got", () => {
    // alone, one thread: this process is all the machine's work
    assert.equal(othersDemand(...window(200, 1, 1, 1), 2), 0);
    // beside one spinning process, two threads: 3 threads on 2 cores, 2/3 of a core each
    assert.ok(Math.abs(othersDemand(...window(200, 2, 4 / 3, 2 / 3), 2) - 1) < 1e-9);
    // beside one, one thread: the other process has its own core
    assert.ok(Math.abs(othersDemand(...window(200, 2, 1, 1), 2) - 1) < 1e-9);
    // beside two, two threads: half a core each
    assert.ok(Math.abs(othersDemand(...window(200, 2, 1, 0.5), 2) - 2) < 1e-9);
    // beside two, one thread: 2/3 each
    assert.ok(Math.abs(othersDemand(...window(200, 2, 2 / 3, 2 / 3), 2) - 2) < 1e-9);
    // on 4 CPUs the same ticks are twice the cores: 2 busy of 4, this process 1
    assert.ok(Math.abs(othersDemand(...window(200, 1, 1, 1), 4) - 1) < 1e-9);
    // no time passed, or no tick counted: nothing to tell
    const [a, b] = window(200, 2, 1, 1);
    assert.equal(othersDemand(a, a, 2), 0);
    assert.equal(othersDemand(a, { ...b, busyTicks: a.busyTicks, totalTicks: a.totalTicks }, 2), 0, "time passed, no tick counted");
    assert.equal(othersDemand(a, { ...b, at: a.at }, 2), 0, "ticks counted, no time passed");
    assert.equal(othersDemand(a, { ...b, at: a.at, ownMicros: a.ownMicros }, 2), 0, "ticks counted, no time passed, no CPU used here");
    // this thread never ran: its share is taken as 1/64, not 0
    const [c, d] = window(200, 2, 1, 0);
    assert.equal(othersDemand(c, { ...d, runNs: c.runNs, waitNs: c.waitNs }, 2), 1);
    assert.equal(othersDemand(c, { ...d, runNs: c.runNs }, 2), 64);
  });

  it("runs the team on the cores others leave free, or on all when none or enough are free", () => {
    const cases: [demand: number, cpus: number, size: number, threads: number][] = [
      [0, 2, 2, 2], [0.4, 2, 2, 2], [0.6, 2, 2, 1], [1, 2, 2, 1], [1.4, 2, 2, 1], [1.6, 2, 2, 2], [2, 2, 2, 2], [5, 2, 2, 2],
      [0, 2, 3, 3], // more threads than cores, as asked, while nobody else wants one
      [1, 2, 3, 1],
      [4, 16, 16, 12], [3, 16, 8, 8], [15, 16, 16, 1], [20, 16, 16, 16],
    ];
    for (const [demand, cpuCount, size, threads] of cases) assert.equal(threadsForLoad(demand, cpuCount, size), threads, `demand ${demand}, ${cpuCount} CPUs, team of ${size}`);
  });

  it("calls a team crowded when its threads outnumber the cores others leave free", () => {
    const cases: [demand: number, cpus: number, threads: number, crowded: boolean][] = [
      [0, 2, 2, false], [0.4, 2, 2, false], [0.6, 2, 2, true], [1, 2, 1, false], [1, 2, 2, true], [1.4, 2, 1, false], [1.6, 2, 1, true],
      [2, 2, 2, true], [2, 2, 1, true],
      [0, 2, 3, true], // more threads than cores: they crowd each other
      [4, 16, 12, false], [4, 16, 13, true], [0, 16, 16, false],
    ];
    for (const [demand, cpuCount, threads, crowded] of cases) assert.equal(crowdedForLoad(demand, cpuCount, threads), crowded, `demand ${demand}, ${cpuCount} CPUs, ${threads} threads`);
  });

  it(`keeps a team crowded from the first window beside two busy processes until ${HOLD_WINDOWS} windows pass without them`, () => {
    // alone; beside two busy processes (2 threads at half a core each); then alone again
    const windows: Window[] = [[1, 1, 1], [2, 1, 1 / 2], ...Array.from({ length: HOLD_WINDOWS }, (): Window => [1, 1, 1])];
    const { watch } = watchOver(windows);
    assert.equal(watch.crowded(2), false, "no window yet: 2 threads on 2 CPUs");
    assert.equal(watch.crowded(3), true, "no window yet: 3 threads on 2 CPUs");
    const seen = windows.map(() => {
      const threads = watch.threads(2);
      return [watch.crowded(threads), watch.crowded(1)];
    });
    assert.deepEqual(seen.map(([two]) => two), [false, true, true, true, false]);
    // one thread beside two busy processes has no free core either
    assert.deepEqual(seen.map(([, one]) => one), [false, true, true, true, false]);
    assert.equal(new LoadWatch(() => null, 2).crowded(2), false, "no counters, as many threads as CPUs");
  });

  it("decides from the last window that has run its time, and keeps the whole team where the counters cannot be read", () => {
    // the first sample is a window old already, the second a window later
    const [a, b] = window(WINDOW_MS, 2, 4 / 3, 2 / 3);
    const start = performance.now() - WINDOW_MS;
    let taken = 0;
    const watch = new LoadWatch(() => {
      const s = taken === 0 ? { ...a, at: start } : { ...b, at: start + WINDOW_MS };
      taken++;
      return s;
    }, 2);
    assert.equal(watch.threads(2), 1, "the first window has passed: beside one busy process, one thread");
    assert.equal(taken, 2);
    assert.equal(watch.threads(2), 1);
    assert.equal(taken, 2, "no new sample before the window has run its time");
    assert.ok(Math.abs(watch.demand - 1) < 1e-9);
    assert.equal(new LoadWatch(() => null, 2).threads(2), 2);
    // counters that stop being readable leave the last decision standing
    let calls = 0;
    const fading = new LoadWatch(() => (calls++ === 0 ? { ...a, at: start } : calls === 2 ? { ...b, at: start + WINDOW_MS } : null), 2);
    assert.equal(fading.threads(2), 1);
    const s0 = performance.now();
    while (performance.now() - s0 < WINDOW_MS + 5);
    assert.equal(fading.threads(2), 1);
    assert.equal(calls, 3);
  });

  it(`leaves out a window this thread was runnable less than ${MIN_RUNNABLE} of: whoever ran while it slept did not compete with it`, () => {
    const [a, b] = window(200, 1, 1, 0.8);
    assert.ok(Math.abs(runnableFraction(a, b) - 1) < 1e-9);
    assert.ok(Math.abs(runnableFraction(a, later(a, 200, 1, 1, 0.8, 0.3)) - 0.3) < 1e-9);
    assert.equal(runnableFraction(a, a), 0, "no time passed");
    // alone; then another process's turn of 1.4 cores while this one slept (runnable 0.49, then 0.5 of the window);
    // then beside a busy process while working
    const windows: Window[] = [[1, 1, 1, 1], [1.4, 0.1, 1, 0.49], [1.4, 0.1, 1, 0.5], [2, 4 / 3, 2 / 3, 1]];
    const { watch } = watchOver(windows);
    const seen = windows.map(() => [watch.threads(2), Math.round(watch.demand * 1e9) / 1e9]);
    assert.deepEqual(seen, [[2, 0], [2, 0], [1, 1.3], [1, 1]]);
  });

  it("samples the machine's ticks, this process's user and system time, and this thread's run time", { skip: !existsSync("/proc/thread-self/schedstat") && "no /proc here" }, () => {
    const a = sampleNow()!;
    // about 150 ms of system calls on this thread: mostly system time
    const t0 = performance.now();
    while (performance.now() - t0 < 150) readFileSync("/proc/stat");
    const b = sampleNow()!;
    const wallMs = b.at - a.at;
    assert.ok(wallMs >= 150);
    assert.ok(b.totalTicks > a.totalTicks && b.busyTicks > a.busyTicks);
    // this thread ran most of the window: its process's CPU time and its own run time say so
    assert.ok((b.ownMicros - a.ownMicros) / 1e3 > 0.5 * wallMs, `process CPU ${(b.ownMicros - a.ownMicros) / 1e3} ms in ${wallMs} ms`);
    assert.ok((b.runNs - a.runNs) / 1e6 > 0.5 * wallMs, `thread ran ${(b.runNs - a.runNs) / 1e6} ms in ${wallMs} ms`);
    assert.ok(b.waitNs >= a.waitNs);
  });

  it(`shrinks the team after one window beside a busy process, keeps it small through a window that overcounts, and grows it after ${HOLD_WINDOWS} windows without one`, () => {
    // windows long past, so that each call samples: one beside a busy process (2 threads), one that counts
    // two busy processes (as a noisy window may), then alone (1 thread)
    const windows: Window[] = [[2, 4 / 3, 2 / 3], [2, 1, 1 / 2], ...Array.from({ length: HOLD_WINDOWS }, (): Window => [1, 1, 1])];
    const { watch, taken } = watchOver(windows);
    const seen = windows.map(() => [watch.threads(2), watch.demand]);
    assert.equal(taken(), windows.length + 1);
    // the third window after the busy one leaves it out
    assert.deepEqual(seen.map(([threads]) => threads), [1, 1, 1, 2, 2]);
    assert.deepEqual(seen.map(([, demand]) => Math.round(demand! * 1e9) / 1e9), [1, 2, 0, 0, 0]);
    // alone, the second window asks for the whole team: so it stays whole
    assert.equal(threadsForLoad(2, 2, 2), 2);
  });

  const linux = existsSync("/proc/thread-self/schedstat");
  const cpuCount = cpus().length;
  it("beside a busy process, a real team leaves it a core (keeps them all when told to); once it ends, takes them all", { skip: !linux ? "no /proc here" : cpuCount < 2 ? "one CPU" : false }, async (t) => {
    const rng = new Rng(3);
    const a = randn([192, 192], rng), b = randn([192, 192], rng);
    const saved = { threads: team.threads, adaptive: team.adaptive };
    let busy: BusyProcesses | undefined;
    after(() => busy?.stop());
    /** Runs matmuls for `ms`; the team's choice at the end. */
    const work = (ms: number) => {
      const t0 = performance.now();
      while (performance.now() - t0 < ms) engine.runKernel(K.MatMul, [a, b], {})[0]!.dispose();
      return team.threadsInUse;
    };
    /** Runs matmuls a window at a time until the team runs `threads` threads or `limitMs` have passed (other tenants come and go); its last choice. */
    const workUntil = (threads: number, limitMs: number) => {
      const t0 = performance.now();
      do work(WINDOW_MS); while (team.threadsInUse !== threads && performance.now() - t0 < limitMs);
      return team.threadsInUse;
    };
    try {
      Object.assign(team, { threads: cpuCount, adaptive: true });
      if (workUntil(cpuCount, 10_000) !== cpuCount) {
        t.skip(`other processes kept the cores busy for 10 s (demand ${team.othersDemand.toFixed(2)})`);
        return;
      }
      busy = await startBusy(1);
      // cpuCount - 1 threads where nothing else runs (1 on 2 cores), fewer beside other tests on a larger machine
      const threads = workUntil(cpuCount - 1, 5_000);
      if (threads === cpuCount && Math.round(team.othersDemand) >= cpuCount) {
        // no core free at all: the whole team is the right choice (machine_load.ts), so this run shows nothing
        t.skip(`other processes came along and took every core (demand ${team.othersDemand.toFixed(2)})`);
        return;
      }
      assert.ok(threads < cpuCount, `beside a busy process, ${team.threadsInUse} threads (demand ${team.othersDemand.toFixed(2)})`);
      setKernelThreadsAdaptive(false);
      assert.equal(work(WINDOW_MS), cpuCount, "adaptation turned off");
      setKernelThreadsAdaptive(true);
      busy.stop();
      assert.equal(workUntil(cpuCount, 10_000), cpuCount, `after they ended (demand ${team.othersDemand.toFixed(2)})`);
    } finally {
      Object.assign(team, saved);
      a.dispose();
      b.dispose();
    }
  });
});
