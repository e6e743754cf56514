import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { LoadWatch } from "./machine_load.js";
import { TASK_KERNELS, wasm, type TaskKernel } from "./module.js";
import { CALL, CONTROL, MAX_TASKS, QUEUE, SLOT_WORDS, claimWord, runClaims, slotOf } from "./team_queue.mjs";

const MAX_THREADS = 256;
/** Words between two threads' task counts: one cache line, so counting never contends. */
const RAN_STRIDE = 16;
/** Parameter words a kernel call may have (each queued call has its own block). */
export const PARAMS_WORDS = 64;
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
 * tasks that each write their own part of the output, and posted to a queue
 * (team_queue.mjs) that the helper threads work through in order, each call
 * after the last has finished; the calling thread goes on and joins them at
 * sync(), which it calls before JavaScript reads or writes tensor memory
 * (the CPU backend does so for every read of a tensor's values). So a
 * helper keeps working while the main thread runs JavaScript or waits for a
 * core that another process holds.
 * Since what a task computes does not depend on the thread that runs it or
 * on how many there are, results are the same bits for any thread count.
 * Helpers start on first use and sleep between calls.
 */
export class KernelTeam {
  private readonly control = KernelTeam.controlBlock();
  private readonly queue = new Int32Array(new SharedArrayBuffer(4 * SLOT_WORDS * QUEUE));
  /** Each queued call's claim word: its number and the range of its tasks not yet claimed (team_queue.mjs). */
  private readonly claims = new BigUint64Array(new SharedArrayBuffer(8 * SLOT_WORDS * QUEUE));
  /** Tasks each thread has run (thread 0 is the calling one), a cache line apart (RAN_STRIDE words). */
  private readonly ran = new Int32Array(new SharedArrayBuffer(4 * RAN_STRIDE * MAX_THREADS));
  private workers: Worker[] = [];
  private size = 1;
  /** One parameter block per queue slot. */
  private readonly paramsBase = wasm.heap.alloc(4 * PARAMS_WORDS * QUEUE);
  /** Each thread's scratch memory: `scratchStride` bytes apiece, for `scratchThreads` threads. */
  private scratch = 0;
  private scratchStride = 0;
  private scratchThreads = 0;
  /** The kernels by index, as queued calls name them. */
  private readonly fns = TASK_KERNELS.map((k) => wasm.fn[k]);
  /** The first failure of a queued call on this thread, reported by the next sync() (a helper's is named by the error word). */
  private failure: unknown = null;
  private readonly keepFailure = (error: unknown): void => {
    this.failure = error;
  };
  /**
   * Work (in flops, or elements) below which a call runs on one thread:
   * handing a call to spinning helpers costs a few microseconds, and a
   * sleeping one hundreds. Measured on 2 cores, two threads against two
   * (bench:train's steps, each order): 5e4 took 1.7% off the small supernet
   * step and 2% off the CIFAR-size one against 2e5, and left the recipe step
   * as it was; 2e4, 1e4 and 0 did no better within the noise.
   */
  minWork = 5e4;
  /**
   * Whether calls are queued (the calling thread returns at once and joins
   * at sync()) while more than one thread runs; off, each call returns when
   * it is done. Either way the results are the same bits.
   */
  deferred = true;
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
    return Atomics.load(this.control, CONTROL.spinUs) / 1000;
  }

  /** `load` follows other processes' demand for cores (a stand-in in tests). */
  constructor(threads = defaultThreads(), private readonly load = new LoadWatch()) {
    this.threads = threads;
  }

  private static controlBlock(): Int32Array {
    const control = new Int32Array(new SharedArrayBuffer(4 * 16));
    control[CONTROL.spinUs] = SPIN_MS * 1000;
    return control;
  }

  /** Threads that run kernels, the calling one included. */
  get threads(): number {
    return this.size;
  }

  /** Fewer threads leave the surplus helpers asleep (so switching back and forth is cheap); more start on the next call. Queued calls finish first. */
  set threads(n: number) {
    if (!(Number.isInteger(n) && n >= 1 && n <= MAX_THREADS)) throw new Error(`kernel team: expected 1 to ${MAX_THREADS} threads, received ${n}`);
    this.sync();
    this.size = n;
    Atomics.store(this.control, CONTROL.size, n);
  }

  /**
   * Tasks run so far by each thread, the calling one first, up to the
   * helpers started (a count wraps past 2^31), once the queued calls are
   * done.
   */
  get tasksRun(): number[] {
    this.sync();
    return Array.from({ length: this.workers.length + 1 }, (_, id) => Atomics.load(this.ran, id * RAN_STRIDE));
  }

  /** Calls posted and not yet finished. */
  get pending(): number {
    return (Atomics.load(this.control, CONTROL.tail) - Atomics.load(this.control, CONTROL.head)) | 0;
  }

  /**
   * Runs tasks 0..tasks-1 of `kernel` with the given parameter words, each
   * thread with its own `scratchFloats` of scratch memory, after every call
   * posted before it. `work` (flops) decides whether it is shared out at
   * all. The call may still be running when this returns: sync() waits.
   */
  run(kernel: TaskKernel, params: readonly number[], tasks: number, scratchFloats: number, work: number): void {
    if (tasks <= 0) return;
    if (params.length > PARAMS_WORDS) throw new Error(`kernel team: ${kernel} has ${params.length} parameter words, more than ${PARAMS_WORDS}`);
    let threads = 1;
    if (work >= this.minWork) {
      const adapt = this.adaptive && this.size > 1;
      this.threadsInUse = adapt ? this.load.threads(this.size) : this.size;
      Atomics.store(this.control, CONTROL.spinUs, 1000 * (adapt && this.load.crowded(this.threadsInUse) ? CROWDED_SPIN_MS : SPIN_MS));
      threads = Math.min(this.threadsInUse, tasks);
    }
    this.fitScratch(Math.ceil((scratchFloats * 4) / 64) * 64);
    // Queued only while helpers may run: with one thread in use (the others'
    // cores held by other processes) a helper would take a core's share too.
    const queued = this.deferred && this.threadsInUse > 1 && this.size > 1;
    if (threads === 1 && !queued) {
      this.sync();
      const fn = wasm.fn[kernel], p = this.paramsBase;
      for (let i = 0; i < params.length; i++) wasm.i32[(p >>> 2) + i] = params[i]!;
      for (let t = 0; t < tasks; t++) fn(p, t, this.scratch);
      Atomics.add(this.ran, 0, tasks);
      return;
    }
    if (threads > 1) {
      this.start();
      this.sharedRuns++;
    }
    // a queued call holds at most MAX_TASKS tasks: more go to consecutive calls
    for (let first = 0; first < tasks; first += MAX_TASKS) this.post(kernel, params, first, Math.min(MAX_TASKS, tasks - first), threads);
    if (!queued) this.sync();
  }

  /** Waits until every posted call is done (the calling thread runs tasks meanwhile); throws the first failure among them. */
  sync(): void {
    const c = this.control;
    if (Atomics.load(c, CONTROL.head) !== Atomics.load(c, CONTROL.tail)) this.work(0);
    if (this.failure !== null || Atomics.load(c, CONTROL.error) !== 0) {
      const failure = this.failure, kernel = Atomics.exchange(c, CONTROL.error, 0) - 1;
      this.failure = null;
      throw failure ?? new Error(`kernel team: ${TASK_KERNELS[kernel] ?? "a kernel"} failed on a helper thread`);
    }
  }

  /** Queues tasks first..first+tasks-1 of a kernel call. */
  private post(kernel: TaskKernel, params: readonly number[], first: number, tasks: number, threads: number): void {
    const c = this.control;
    // the slot's last call must be done before its words are reused
    if (this.pending >= QUEUE) this.work(QUEUE - 1);
    const call = Atomics.load(c, CONTROL.tail), slot = slotOf(call), p = this.paramsBase + 4 * PARAMS_WORDS * (call & (QUEUE - 1));
    const words = wasm.i32;
    for (let i = 0; i < params.length; i++) words[(p >>> 2) + i] = params[i]!;
    const q = this.queue;
    q[slot + CALL.kernel] = TASK_KERNELS.indexOf(kernel);
    q[slot + CALL.params] = p;
    q[slot + CALL.tasks] = tasks;
    q[slot + CALL.first] = first;
    // a call for one thread goes whole to whichever thread claims it first
    q[slot + CALL.threads] = threads;
    Atomics.store(q, slot + CALL.done, 0);
    Atomics.store(this.claims, slot, claimWord(call, 0, tasks));
    Atomics.store(c, CONTROL.tail, (call + 1) | 0);
    Atomics.add(c, CONTROL.gen, 1);
    if (Atomics.load(c, CONTROL.sleepers) > 0) Atomics.notify(c, CONTROL.gen);
  }

  /**
   * Runs and waits for queued calls until at most `left` remain unfinished.
   * A task that throws is counted done; the calls after it are skipped, and
   * its error is kept for sync() (runClaims).
   */
  private work(left: number): void {
    const c = this.control, t0 = performance.now();
    let idleSince = t0;
    for (;;) {
      const gen = Atomics.load(c, CONTROL.gen), head = Atomics.load(c, CONTROL.head);
      if (((Atomics.load(c, CONTROL.tail) - head) | 0) <= left) return;
      const ran = runClaims(c, this.queue, this.claims, this.ran, 0, slotOf(head), head, false, this.fns, this.scratch, this.keepFailure);
      if (ran > 0) {
        idleSince = performance.now();
        continue;
      }
      // the call's tasks are all claimed: wait for the threads running them
      const now = performance.now();
      if (now - idleSince < this.spinMs) continue;
      Atomics.add(c, CONTROL.sleepers, 1);
      Atomics.wait(c, CONTROL.gen, gen, 100);
      Atomics.sub(c, CONTROL.sleepers, 1);
      if (now - t0 > WAIT_LIMIT_MS) throw new Error(`kernel team: a call's tasks claimed by helper threads did not finish in ${WAIT_LIMIT_MS / 1000} s`);
    }
  }

  /** Gives each thread at least `stride` bytes of scratch memory (after the queued calls, which may use the old block). */
  private fitScratch(stride: number): void {
    const threads = Math.max(this.size, 1);
    if (stride <= this.scratchStride && threads <= this.scratchThreads) return;
    this.sync();
    if (this.scratch !== 0) wasm.heap.release(this.scratch);
    this.scratchStride = Math.max(stride, this.scratchStride);
    this.scratchThreads = Math.max(threads, this.scratchThreads);
    this.scratch = wasm.heap.alloc(this.scratchStride * this.scratchThreads);
    Atomics.store(this.control, CONTROL.scratch, this.scratch);
    Atomics.store(this.control, CONTROL.stride, this.scratchStride);
  }

  private start(): void {
    if (this.workers.length >= this.size - 1) return;
    const url = new URL("./team_worker.mjs", import.meta.url);
    for (let id = this.workers.length + 1; id < this.size; id++) {
      const w = new Worker(url, {
        workerData: {
          module: wasm.module, memory: wasm.memory, control: this.control.buffer, queue: this.queue.buffer, claims: this.claims.buffer,
          ran: this.ran.buffer, ranStride: RAN_STRIDE, id, kernels: TASK_KERNELS, epoch: Atomics.load(this.control, CONTROL.epoch),
        },
      });
      w.unref();
      this.workers.push(w);
    }
  }

  /** Finishes the queued calls, then ends the helper threads (the next call with more than one thread starts new ones). */
  stop(): void {
    if (this.workers.length === 0) return;
    const c = this.control;
    try {
      this.sync();
    } finally {
      Atomics.add(c, CONTROL.epoch, 1);
      Atomics.add(c, CONTROL.gen, 1);
      Atomics.notify(c, CONTROL.gen);
      for (const w of this.workers) void w.terminate();
      this.workers = [];
    }
  }
}

export const team = new KernelTeam();
