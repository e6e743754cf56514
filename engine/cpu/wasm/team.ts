import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { CLAIM_BITS, MAX_TASKS, claimTask, claimWords, closeCall, openCall } from "./claims.mjs";
import { LoadWatch } from "./machine_load.js";
import { TASK_KERNELS, wasm, type TaskKernel } from "./module.js";

// Words of the control block shared with the team's threads: `gen` wakes
// them, `done` counts finished tasks of the current call, `epoch` counts
// stops (a helper of an earlier epoch ends instead of taking work), `size`
// is the team's size (helpers beyond it sleep at once).
// `spinUs` is how long a thread polls before it sleeps (SPIN_MS or
// CROWDED_SPIN_MS, in microseconds).
const SLOTS = { gen: 0, kernel: 1, params: 2, tasks: 3, threads: 4, scratch: 5, stride: 6, done: 7, error: 8, epoch: 9, size: 10, spinUs: 11 } as const;
const MAX_THREADS = 256;
/** Words between two threads' task counts: one cache line, so counting never contends. */
const RAN_STRIDE = 16;
/**
 * Milliseconds a thread polls the control block before it sleeps on it:
 * waking a sleeping thread costs hundreds of microseconds on the machines
 * measured, more than most kernels take.
 */
const SPIN_MS = 5;
/**
 * The polling time while the team's threads outnumber the cores other
 * processes leave free (machine_load.ts, crowdedForLoad): polling then
 * spends time the scheduler would give to the team's own work. Beside two
 * busy processes on 2 cores, 0.2, 0.5 and 1 ms did the same within the
 * noise, 5 ms 20-30% worse; idle, 0.5 and 1 ms made the 2-thread step
 * 10% slower than 5 ms (helpers asleep between calls).
 */
const CROWDED_SPIN_MS = 0.5;
/** How long the main thread waits for its helpers before it gives up (they never take this long unless dead). */
const WAIT_LIMIT_MS = 600_000;

/** The thread count from KSHOT_THREADS, else (also when it is not a valid count: the CLI reports that) the available cores. */
function defaultThreads(): number {
  try {
    return parseThreads(process.env["KSHOT_THREADS"] ?? "", "KSHOT_THREADS");
  } catch {
    return availableParallelism();
  }
}

export function parseThreads(text: string, what: string): number {
  if (!/^[1-9][0-9]*$/.test(text) || Number(text) > MAX_THREADS) {
    throw new Error(`${what}: expected a whole number of threads from 1 to ${MAX_THREADS}, received '${text}'`);
  }
  return Number(text);
}

/**
 * A persistent team of threads that run the WebAssembly kernels over the
 * shared memory that holds the CPU tensors. A kernel call is split into
 * tasks that each write their own part of the output; each thread (the
 * calling one is thread 0) runs the tasks of its own range, then helps with
 * the others' (claims.mjs), so a helper that wakes late or loses its core to
 * another process only takes fewer tasks.
 * Since what a task computes does not depend on the thread that runs it or
 * on how many there are, results are the same bits for any thread count.
 * Helpers start on first use and sleep between calls.
 */
export class KernelTeam {
  private readonly control = KernelTeam.controlBlock();
  /** The claim words, one per thread's range of tasks (see claims.mjs). */
  private readonly claims = claimWords(MAX_THREADS);
  /** Tasks each thread has run (thread 0 is the calling one), a cache line apart (RAN_STRIDE words). */
  private readonly ran = new Int32Array(new SharedArrayBuffer(4 * RAN_STRIDE * MAX_THREADS));
  private call = 0n;
  private workers: Worker[] = [];
  private size = 1;
  private readonly paramsPtr = wasm.heap.alloc(4 * 64);
  /**
   * Work (in flops, or elements) below which a call runs on the calling
   * thread alone: handing a call to spinning helpers costs a few
   * microseconds, and a sleeping one hundreds. Measured on 2 cores, two
   * threads against two (bench:train's steps, each order): 5e4 took 1.7%
   * off the small supernet step and 2% off the CIFAR-size one against 2e5,
   * and left the recipe step as it was; 2e4, 1e4 and 0 did no better
   * within the noise.
   */
  minWork = 5e4;
  /** Calls split across more than one thread so far. */
  sharedRuns = 0;
  /**
   * Whether a call runs only on the cores other processes leave free
   * (machine_load.ts); off, every call large enough uses the whole team.
   * Either way the results are the same bits.
   */
  adaptive = true;
  /** Threads the last call large enough to share could use (the team's size, or fewer while other processes hold cores). */
  threadsInUse = 1;
  /** Other processes' threads that wanted a core over the team's last window of measurement. */
  get othersDemand(): number {
    return this.load.demand;
  }

  /** Milliseconds a thread of the team polls for work before it sleeps: SPIN_MS, or CROWDED_SPIN_MS while the team is adaptive and crowded. */
  get spinMs(): number {
    return Atomics.load(this.control, SLOTS.spinUs) / 1000;
  }

  /** `load` follows other processes' demand for cores (a stand-in in tests). */
  constructor(threads = defaultThreads(), private readonly load = new LoadWatch()) {
    this.threads = threads;
  }

  private static controlBlock(): Int32Array {
    const control = new Int32Array(new SharedArrayBuffer(4 * 16));
    control[SLOTS.spinUs] = SPIN_MS * 1000;
    return control;
  }

  /** Threads that run kernels, the calling one included. */
  get threads(): number {
    return this.size;
  }

  /**
   * Tasks run so far by each thread, the calling one first, up to the
   * helpers started (a count wraps past 2^31). Read after a call returns,
   * every count includes it: a helper counts each task before it counts it
   * done.
   */
  get tasksRun(): number[] {
    return Array.from({ length: this.workers.length + 1 }, (_, id) => Atomics.load(this.ran, id * RAN_STRIDE));
  }

  /** Fewer threads leave the surplus helpers asleep (so switching back and forth is cheap); more start on the next call. */
  set threads(n: number) {
    if (!(Number.isInteger(n) && n >= 1 && n <= MAX_THREADS)) throw new Error(`kernel team: expected 1 to ${MAX_THREADS} threads, received ${n}`);
    this.size = n;
  }

  /**
   * Runs tasks 0..tasks-1 of `kernel` with the given parameter words, each
   * thread with its own `scratchFloats` of scratch memory. `work` (flops)
   * decides whether helpers are woken at all.
   */
  run(kernel: TaskKernel, params: readonly number[], tasks: number, scratchFloats: number, work: number): void {
    if (tasks <= 0) return;
    if (tasks > MAX_TASKS) throw new Error(`kernel team: ${kernel} asked for ${tasks} tasks, more than the ${MAX_TASKS} a call may have`);
    const words = wasm.i32;
    for (let i = 0; i < params.length; i++) words[(this.paramsPtr >>> 2) + i] = params[i]!;
    let threads = 1;
    if (work >= this.minWork) {
      const adapt = this.adaptive && this.size > 1;
      this.threadsInUse = adapt ? this.load.threads(this.size) : this.size;
      Atomics.store(this.control, SLOTS.spinUs, 1000 * (adapt && this.load.crowded(this.threadsInUse) ? CROWDED_SPIN_MS : SPIN_MS));
      threads = Math.min(this.threadsInUse, tasks);
    }
    const stride = Math.ceil((scratchFloats * 4) / 64) * 64;
    const scratch = stride > 0 ? wasm.heap.alloc(stride * threads) : 0;
    try {
      if (threads === 1) {
        const fn = wasm.fn[kernel];
        for (let t = 0; t < tasks; t++) fn(this.paramsPtr, t, scratch);
        Atomics.add(this.ran, 0, tasks);
      } else {
        this.runShared(kernel, tasks, threads, scratch, stride);
      }
    } finally {
      if (stride > 0) wasm.heap.release(scratch);
    }
  }

  private runShared(kernel: TaskKernel, tasks: number, threads: number, scratch: number, stride: number): void {
    this.start();
    this.sharedRuns++;
    const c = this.control;
    const call = ++this.call << CLAIM_BITS;
    closeCall(this.claims, call);
    Atomics.store(c, SLOTS.kernel, TASK_KERNELS.indexOf(kernel));
    Atomics.store(c, SLOTS.params, this.paramsPtr);
    Atomics.store(c, SLOTS.tasks, tasks);
    Atomics.store(c, SLOTS.threads, threads);
    Atomics.store(c, SLOTS.size, this.size);
    Atomics.store(c, SLOTS.scratch, scratch);
    Atomics.store(c, SLOTS.stride, stride);
    Atomics.store(c, SLOTS.done, 0);
    openCall(this.claims, call, tasks, threads);
    Atomics.add(c, SLOTS.gen, 1);
    Atomics.notify(c, SLOTS.gen);
    const fn = wasm.fn[kernel];
    let mine = 0, dropped = 0, failed = true, helperFailed = false;
    try {
      for (let t = claimTask(this.claims, call, tasks, threads, 0); t >= 0; t = claimTask(this.claims, call, tasks, threads, 0)) {
        mine++; // a task that throws is over too
        fn(this.paramsPtr, t, scratch);
      }
      failed = false;
    } finally {
      // A task that threw (a trap) ends the call: the tasks nobody has claimed
      // are dropped, and the helpers' own are waited for, so that none of them
      // runs into the next call or counts towards it, and their failures are
      // not reported as the next call's.
      if (failed) for (let t = claimTask(this.claims, call, tasks, threads, 0); t >= 0; t = claimTask(this.claims, call, tasks, threads, 0)) dropped++;
      // counted once: the helpers' last task notifies only when it completes the call, and this thread is the one waiting
      Atomics.add(c, SLOTS.done, mine + dropped);
      Atomics.add(this.ran, 0, mine);
      this.waitForTasks(tasks);
      helperFailed = Atomics.exchange(c, SLOTS.error, 0) !== 0;
    }
    if (helperFailed) throw new Error(`kernel team: ${kernel} failed on a helper thread`);
  }

  private waitForTasks(tasks: number): void {
    const c = this.control;
    const t0 = performance.now(), spinMs = this.spinMs;
    for (let done = Atomics.load(c, SLOTS.done); done < tasks; done = Atomics.load(c, SLOTS.done)) {
      const waited = performance.now() - t0;
      if (waited < spinMs) continue;
      Atomics.wait(c, SLOTS.done, done, 100);
      if (waited > WAIT_LIMIT_MS) throw new Error(`kernel team: ${tasks - done} task(s) claimed by helper threads did not finish in ${WAIT_LIMIT_MS / 1000} s`);
    }
  }

  private start(): void {
    if (this.workers.length >= this.size - 1) return;
    const url = new URL("./team_worker.mjs", import.meta.url);
    for (let id = this.workers.length + 1; id < this.size; id++) {
      const w = new Worker(url, {
        workerData: {
          module: wasm.module, memory: wasm.memory, control: this.control.buffer, claims: this.claims.buffer, ran: this.ran.buffer, ranStride: RAN_STRIDE, id, kernels: TASK_KERNELS,
          slots: SLOTS,
          seen: Atomics.load(this.control, SLOTS.gen), epoch: Atomics.load(this.control, SLOTS.epoch),
        },
      });
      w.unref();
      this.workers.push(w);
    }
  }

  /** Ends the helper threads (the next call with more than one thread starts new ones). */
  stop(): void {
    if (this.workers.length === 0) return;
    const c = this.control;
    Atomics.add(c, SLOTS.epoch, 1);
    Atomics.add(c, SLOTS.gen, 1);
    Atomics.notify(c, SLOTS.gen);
    for (const w of this.workers) void w.terminate();
    this.workers = [];
  }
}

export const team = new KernelTeam();
