// The queue of kernel calls that the kernel team's threads share (team.ts,
// team_worker.mjs). Plain JavaScript, so that a helper thread imports it
// without a TypeScript loader.
//
// The main thread posts calls at `tail`; every thread runs the tasks of the
// call at `head`, and the thread that finishes its last task moves `head` on,
// so each call starts after the one before it has finished. A call's claim
// word holds (the low bits of) its number and the range of tasks not yet
// claimed: a thread claims by compare-and-swap, so a thread that read
// `head` long ago cannot claim from the call that has since taken over the
// slot (unless 2^24 calls were posted meanwhile).
//
// The calling thread claims from the front of a call, the helpers from the
// back: consecutive calls split their work the same way (over images,
// channels or rows), so a thread mostly reads what it wrote itself, in its
// own core's cache. Claiming in turn from one end instead, each thread's
// tasks fell anywhere, and the 2-thread supernet step took 1.06x the time.

/** Words of the control block. `gen` changes whenever `head` or `tail` does: idle threads sleep on it, `sleepers` of them. */
export const CONTROL = { gen: 0, head: 1, tail: 2, epoch: 3, size: 4, spinUs: 5, error: 6, scratch: 7, stride: 8, sleepers: 9 };
/**
 * Words of a queued call: what to run, its tasks' count, how many threads
 * may share it, how many tasks are done, and the kernel's task number of
 * its task 0 (a kernel call with more than MAX_TASKS tasks is queued as
 * several calls).
 */
export const CALL = { kernel: 0, params: 1, tasks: 2, threads: 3, done: 4, first: 5 };
/** Words from one slot to the next: a cache line. */
export const SLOT_WORDS = 16;
/** Calls the queue holds (a power of two). */
export const QUEUE = 128;
/** Bits of a claim word for each end of the unclaimed range; the call number's low bits take the rest (24). */
const TASK_BITS = 20n, TASK_MASK = (1n << TASK_BITS) - 1n, CALL_MASK = 0xffffff;
/** Tasks a queued call may have. */
export const MAX_TASKS = 2 ** 20 - 1;

/** The first word of call number `call`'s slot (in the queue's words; in the claim words, its claim word). */
export function slotOf(call) {
  return (call & (QUEUE - 1)) * SLOT_WORDS;
}

/** The claim word of call number `call` with tasks [lo, hi) unclaimed (a BigUint64Array's element). */
export function claimWord(call, lo, hi) {
  return (BigInt(call & CALL_MASK) << (2n * TASK_BITS)) | (BigInt(lo) << TASK_BITS) | BigInt(hi);
}

/**
 * Claims the next tasks of call number `call`, from the front of the
 * unclaimed range or, `fromBack`, from its back: a call for one thread goes
 * whole to its first claimant, a shared call a task at a time. Returns the
 * first task claimed, or -1 when none are left or the slot holds another call.
 */
export function claimTasks(claims, slot, call, threads, fromBack) {
  const mine = BigInt(call & CALL_MASK);
  for (;;) {
    const word = Atomics.load(claims, slot);
    if (word >> (2n * TASK_BITS) !== mine) return -1;
    const lo = Number((word >> TASK_BITS) & TASK_MASK), hi = Number(word & TASK_MASK);
    if (lo >= hi) return -1;
    // the claim moves an end of the range: hi down one, or lo up one or to hi
    const next = threads === 1 ? word + (BigInt(hi - lo) << TASK_BITS) : fromBack ? word - 1n : word + (1n << TASK_BITS);
    if (Atomics.compareExchange(claims, slot, word, next) === word) return fromBack && threads !== 1 ? hi - 1 : lo;
  }
}

/** How many tasks a claim that starts at `first` holds. */
export function claimedTasks(first, tasks, threads) {
  return threads === 1 ? tasks - first : 1;
}

/**
 * Runs what a thread can claim of call number `call` (in slot `slot`), from
 * the back of its tasks or the front, with the kernels `fns` and the
 * thread's `scratch`, counting each claim in `ran` (word `ranWord`) before
 * counting it done, so that a count read once
 * the queue is empty includes it. After a failure, this one's or another
 * thread's, tasks are counted without running (their inputs may be the
 * failed call's output): the error word names the first failed kernel, and
 * `onError` hears the error. Returns the tasks claimed.
 */
export function runClaims(control, queue, claims, ran, ranWord, slot, call, fromBack, fns, scratch, onError) {
  const tasks = queue[slot + CALL.tasks], threads = queue[slot + CALL.threads], offset = queue[slot + CALL.first];
  let claimed = 0;
  for (let first = claimTasks(claims, slot, call, threads, fromBack); first >= 0; first = claimTasks(claims, slot, call, threads, fromBack)) {
    const n = claimedTasks(first, tasks, threads);
    claimed += n;
    if (Atomics.load(control, CONTROL.error) === 0) {
      const kernel = queue[slot + CALL.kernel], params = queue[slot + CALL.params];
      try {
        for (let t = offset + first; t < offset + first + n; t++) fns[kernel](params, t, scratch);
      } catch (error) {
        if (Atomics.compareExchange(control, CONTROL.error, 0, kernel + 1) === 0) onError?.(error);
      }
    }
    Atomics.add(ran, ranWord, n);
    finishTasks(control, queue, slot, call, tasks, n);
  }
  return claimed;
}

/** Counts `n` tasks of call number `call` done; the thread that finishes the call moves the queue on and wakes the sleepers. */
export function finishTasks(control, queue, slot, call, tasks, n) {
  if (Atomics.add(queue, slot + CALL.done, n) + n !== tasks) return;
  Atomics.store(control, CONTROL.head, (call + 1) | 0);
  Atomics.add(control, CONTROL.gen, 1);
  if (Atomics.load(control, CONTROL.sleepers) > 0) Atomics.notify(control, CONTROL.gen);
}
