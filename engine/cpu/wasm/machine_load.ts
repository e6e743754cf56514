import { readFileSync } from "node:fs";
import { cpus } from "node:os";

// How many of the kernel team's threads to run while other processes hold
// cores. A team thread that shares a core with another process's thread gets
// half of it, and every kernel call waits for its slowest thread; on 2 cores
// beside one busy process, two threads took 1.13-1.45x the time of one (issue
// #28). Like OpenMP's dynamic adjustment (OMP_DYNAMIC, which sizes a team by
// the cores minus the load average), the team uses the cores that others
// leave free; it measures that load over short windows from Linux's own
// counters instead of the minute-long load average.

/** CPU time counters at one instant. */
export interface LoadSample {
  /** performance.now(), ms. */
  readonly at: number;
  /** Ticks the machine's CPUs spent busy and in all, summed over CPUs (/proc/stat's first line). */
  readonly busyTicks: number;
  readonly totalTicks: number;
  /** CPU microseconds this process has used, all its threads. */
  readonly ownMicros: number;
  /** Nanoseconds the sampling thread has spent on a CPU and waiting for one (/proc/thread-self/schedstat). */
  readonly runNs: number;
  readonly waitNs: number;
}

/** Milliseconds between two samples: /proc/stat counts in ticks of 10 ms, so on 2 CPUs a window holds 40. */
export const WINDOW_MS = 200;
/**
 * Windows whose fewest threads decide: a process that starts is acted on
 * after one window, a core that comes free after this many, so that a
 * neighbour that pauses for a moment does not hand the team a core it
 * would lose again at once. Fewest threads, not highest demand: a window
 * that overcounts the demand beside one busy process would otherwise make
 * it look like no core is free and hand back the whole team.
 */
export const HOLD_WINDOWS = 3;

/**
 * Windows in which the sampling thread was runnable (on a CPU or waiting
 * for one) less than this fraction of the time are left out: it mostly
 * slept, so whoever ran then did not compete with the team. Two processes
 * that take turns would otherwise each count the other's turn as a
 * neighbour and shrink their teams on every turn (two benchmark step
 * servers taking turns: the 2-thread step as slow as the 1-thread one).
 */
export const MIN_RUNNABLE = 0.5;

/**
 * Busy and total ticks from /proc/stat's `cpu` line (user nice system idle
 * iowait irq softirq steal ...). Time stolen by the hypervisor is neither
 * busy nor free here: no process of this machine holds it.
 */
export function parseProcStat(text: string): { busy: number; total: number } {
  const line = text.split("\n", 1)[0]!;
  const f = line.split(/\s+/);
  if (f[0] !== "cpu" || f.length < 8) throw new Error(`machine load: unexpected /proc/stat line '${line}'`);
  const [user, nice, system, idle, iowait, irq, softirq] = f.slice(1, 8).map(Number) as [number, number, number, number, number, number, number];
  const busy = user + nice + system + irq + softirq;
  return { busy, total: busy + idle + iowait };
}

/** Nanoseconds on a CPU and waiting in a run queue, from a schedstat file ("run wait slices"). */
export function parseSchedstat(text: string): { run: number; wait: number } {
  const f = text.trim().split(/\s+/).map(Number);
  if (f.length < 2 || !f.every(Number.isFinite)) throw new Error(`machine load: unexpected schedstat '${text.trim()}'`);
  return { run: f[0]!, wait: f[1]! };
}

/**
 * Threads of other processes that wanted a core between two samples: the
 * cores they kept busy, over the share of a core that a thread got while it
 * could run (the sampling thread's, as the scheduler treats threads alike).
 * Beside one spinning process on 2 cores, a 2-thread team measures it as
 * 2/3 of a core at 2/3 of a core per thread: 1.
 */
export function othersDemand(a: LoadSample, b: LoadSample, cpuCount: number): number {
  const wallMicros = (b.at - a.at) * 1e3, ticks = b.totalTicks - a.totalTicks;
  if (wallMicros <= 0 || ticks <= 0) return 0;
  const busyCores = (cpuCount * (b.busyTicks - a.busyTicks)) / ticks;
  const others = Math.max(0, busyCores - (b.ownMicros - a.ownMicros) / wallMicros);
  const run = b.runNs - a.runNs, waited = b.waitNs - a.waitNs;
  const share = run + waited > 0 ? run / (run + waited) : 1;
  return others / Math.max(share, 1 / 64);
}

/** The fraction of the time between two samples that the sampling thread was on a CPU or waiting for one. */
export function runnableFraction(a: LoadSample, b: LoadSample): number {
  const wallNs = (b.at - a.at) * 1e6;
  return wallNs > 0 ? (b.runNs - a.runNs + b.waitNs - a.waitNs) / wallNs : 0;
}

/**
 * The threads to run out of a team of `size` when other processes want
 * `demand` of the `cpuCount` cores: all of them when nobody else wants a
 * core or enough are free; the free cores when at least one is; all again
 * when none is free, since then each thread gets a fair share of the cores
 * and more threads get more of them (on 2 cores beside two busy processes,
 * two threads were faster than one).
 */
export function threadsForLoad(demand: number, cpuCount: number, size: number): number {
  const others = Math.round(demand);
  const free = cpuCount - others;
  return others === 0 || free < 1 ? size : Math.min(free, size);
}

/**
 * Whether `threads` team threads outnumber the cores that other processes,
 * wanting `demand` of the `cpuCount` cores, leave free: then a team thread
 * that polls for work holds a core another thread wants, and the scheduler
 * charges that time to it. Beside two busy processes on 2 cores, a
 * 2-thread team whose threads poll 5 ms before sleeping took 1.76-1.90x
 * the idle one-thread supernet step, against 1.39-1.51x polling 0.2-1 ms
 * (docs/benchmarks.md, "Polling on a crowded machine").
 */
export function crowdedForLoad(demand: number, cpuCount: number, threads: number): boolean {
  return threads > cpuCount - Math.round(demand);
}

/** A sample now, or null where the counters cannot be read (not Linux). */
export function sampleNow(): LoadSample | null {
  try {
    const stat = parseProcStat(readFileSync("/proc/stat", "latin1"));
    const own = process.cpuUsage();
    const sched = parseSchedstat(readFileSync("/proc/thread-self/schedstat", "latin1"));
    return { at: performance.now(), busyTicks: stat.busy, totalTicks: stat.total, ownMicros: own.user + own.system, runNs: sched.run, waitNs: sched.wait };
  } catch {
    return null;
  }
}

/** Follows other processes' demand for cores, one window at a time, as the calling thread asks. */
export class LoadWatch {
  private last: LoadSample | null | undefined;
  /** Other processes' demand for cores over each of the last HOLD_WINDOWS windows, the newest last. */
  private readonly recent: number[] = [];

  constructor(private readonly sample: () => LoadSample | null = sampleNow, private readonly cpuCount = cpus().length) {}

  /** Other processes' demand for cores over the last window (0 until one has passed). */
  get demand(): number {
    return this.recent.at(-1) ?? 0;
  }

  /** The threads to run out of `size`, the fewest any of the last windows asks for (windows this thread mostly slept through left out); starts a new window when this one has run its time. */
  threads(size: number): number {
    if (this.last === undefined) this.last = this.sample();
    if (this.last === null) return size;
    if (performance.now() - this.last.at >= WINDOW_MS) {
      const next = this.sample();
      if (next !== null) {
        if (runnableFraction(this.last, next) >= MIN_RUNNABLE) {
          this.recent.push(othersDemand(this.last, next, this.cpuCount));
          if (this.recent.length > HOLD_WINDOWS) this.recent.shift();
        }
        this.last = next;
      }
    }
    return Math.min(size, ...this.recent.map((demand) => threadsForLoad(demand, this.cpuCount, size)));
  }

  /**
   * Whether `threads` team threads are crowded (crowdedForLoad) in any of
   * the last windows threads() took: a neighbour that starts counts after
   * one window, one that ends after HOLD_WINDOWS. With no window (yet, or no
   * counters), whether they outnumber the cores.
   */
  crowded(threads: number): boolean {
    return crowdedForLoad(Math.max(0, ...this.recent), this.cpuCount, threads);
  }
}
