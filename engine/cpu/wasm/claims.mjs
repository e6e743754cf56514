// How the threads of the kernel team (team.ts, team_worker.mjs) share out
// the tasks of a call. Plain JavaScript, so that a helper thread imports it
// without a TypeScript loader.
//
// The tasks are cut into one contiguous range per thread. Each range has a
// 64-bit word: the call's number above CLAIM_BITS, the next task of the range
// below. A thread takes tasks from its own range first, then from the others'
// (so a thread that wakes late or loses its core takes fewer tasks), by
// compare-and-swap; a word of an older call cannot be claimed from, because
// its number no longer matches. Contiguous ranges put the same images on the
// same thread in consecutive kernels when the threads keep pace (no gain was
// measurable on the 2-core machine, whose cores share their L3).

/** Low bits of a claim word for the task; the call number takes the other 39 (about 5e11 calls). */
export const CLAIM_BITS = 24n;
/** Words from one range's claim word to the next: a cache line each, so that threads claiming from their own ranges do not contend. */
const SPACING = 8;
/** Word 0's low bits while a call is being posted: above any task index a claim can reach. */
const CLOSED = 2 ** 24 - 1;
/** Tasks a call may have. */
export const MAX_TASKS = CLOSED - 1;

/** The claim words for a team of up to `threads` threads. */
export function claimWords(threads) {
  return new BigInt64Array(new SharedArrayBuffer(8 * SPACING * threads));
}

/** The first task of thread `j`'s range. */
export function rangeStart(j, tasks, threads) {
  return Math.floor((j * tasks) / threads);
}

/** The call number (shifted) that a claim word belongs to. */
export function callOf(word) {
  return (word >> CLAIM_BITS) << CLAIM_BITS;
}

/**
 * Closes word 0 for call `call` (shifted) before the call's settings are
 * written: nothing can be claimed from it, and a thread that reads it knows
 * the settings are changing.
 */
export function closeCall(words, call) {
  Atomics.store(words, 0, call | BigInt(CLOSED));
}

/** Word 0, which opens (and first closes) each call. */
export function firstWord(words) {
  return Atomics.load(words, 0);
}

/** Whether word 0, read as `word`, belongs to a call whose settings are still being written. */
export function isClosed(word) {
  return Number(word - callOf(word)) === CLOSED;
}

/** Opens call `call` (shifted) once its settings are written: every range at its start, word 0 last. */
export function openCall(words, call, tasks, threads) {
  for (let j = threads - 1; j >= 0; j--) Atomics.store(words, j * SPACING, call | BigInt(rangeStart(j, tasks, threads)));
}

/**
 * The next task for thread `id` of call `call` (shifted), or -1 when no task
 * is left or a newer call has begun.
 */
export function claimTask(words, call, tasks, threads, id) {
  for (let k = 0; k < threads; k++) {
    const j = (id + k) % threads;
    const end = rangeStart(j + 1, tasks, threads);
    for (;;) {
      const word = Atomics.load(words, j * SPACING);
      // another call's word lies at least 2^CLAIM_BITS away: below 0 or past any end
      const t = Number(word - call);
      if (t < 0 || t >= end) break;
      if (Atomics.compareExchange(words, j * SPACING, word, word + 1n) === word) return t;
    }
  }
  return -1;
}
