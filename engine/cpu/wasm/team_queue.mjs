// The queue of kernel calls that the kernel team's threads share (team.ts,
// team_worker.mjs). Plain JavaScript, so that a helper thread imports it
// without a TypeScript loader.
//
// The main thread posts calls at `tail`; every thread runs the tasks of the
// call at `head`, and the thread that finishes its last task moves `head` on,
// so each call starts after the one before it has finished. A call's claim
// word holds its number above CLAIM_BITS and its next task below: a thread
// claims by compare-and-swap, so a thread that read `head` long ago cannot
// claim from the call that has since taken over the slot.

/** Words of the control block. `gen` changes whenever `head` or `tail` does: idle threads sleep on it, `sleepers` of them. */
export const CONTROL = { gen: 0, head: 1, tail: 2, epoch: 3, size: 4, spinUs: 5, error: 6, scratch: 7, stride: 8, sleepers: 9 };
/** Words of a queued call: what to run, its tasks' count, how many threads may share it, how many tasks are done. */
export const CALL = { kernel: 0, params: 1, tasks: 2, threads: 3, done: 4 };
/** Words from one slot to the next: a cache line. */
export const SLOT_WORDS = 16;
/** Calls the queue holds (a power of two). */
export const QUEUE = 128;
/** Low bits of a claim word for the task; the call number takes the rest. */
const CLAIM_BITS = 24n;
/** Tasks a call may have: a claim past the last task still fits below CLAIM_BITS. */
export const MAX_TASKS = 2 ** 24 - 2;

/** The first word of call number `call`'s slot (in the queue's words; in the claim words, its claim word). */
export function slotOf(call) {
  return (call & (QUEUE - 1)) * SLOT_WORDS;
}

/**
 * Claims the next tasks of call number `call`: [first, first + n), where
 * a call for one thread goes whole to its first claimant and a shared call
 * goes a task at a time. Returns the first, or -1 when none are left or the
 * slot holds another call.
 */
export function claimTasks(claims, slot, call, tasks, threads) {
  const n = threads === 1 ? tasks : 1, mine = BigInt(call) << CLAIM_BITS;
  for (;;) {
    const word = Atomics.load(claims, slot);
    const t = Number(word - mine);
    if (t < 0 || t >= tasks) return -1;
    if (Atomics.compareExchange(claims, slot, word, word + BigInt(n)) === word) return t;
  }
}

/** How many tasks a claim that starts at `first` holds. */
export function claimedTasks(first, tasks, threads) {
  return threads === 1 ? tasks - first : 1;
}

/**
 * Runs what thread `id` can claim of call number `call` (in slot `slot`)
 * with the kernels `fns` and the thread's `scratch`, counting each claim in
 * `ran` (word `ranWord`) before counting it done, so that a count read once
 * the queue is empty includes it. After a failure, this one's or another
 * thread's, tasks are counted without running (their inputs may be the
 * failed call's output): the error word names the first failed kernel, and
 * `onError` hears the error. Returns the tasks claimed.
 */
export function runClaims(control, queue, claims, ran, ranWord, slot, call, fns, scratch, onError) {
  const tasks = queue[slot + CALL.tasks], threads = queue[slot + CALL.threads];
  let claimed = 0;
  for (let first = claimTasks(claims, slot, call, tasks, threads); first >= 0; first = claimTasks(claims, slot, call, tasks, threads)) {
    const n = claimedTasks(first, tasks, threads);
    claimed += n;
    if (Atomics.load(control, CONTROL.error) === 0) {
      const kernel = queue[slot + CALL.kernel], params = queue[slot + CALL.params];
      try {
        for (let t = first; t < first + n; t++) fns[kernel](params, t, scratch);
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
