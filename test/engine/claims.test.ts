import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CLAIM_BITS, MAX_TASKS, callOf, claimTask, claimWords, closeCall, firstWord, isClosed, openCall, rangeStart } from "../../engine/cpu/wasm/claims.mjs";
import { Rng } from "../../engine/index.js";

// The task-sharing protocol of the kernel team, driven by hand: which tasks
// each thread gets, in what order, and that no task is run twice or lost.

const call = (n: number) => BigInt(n) << CLAIM_BITS;

/** Every task a thread claims until none is left. */
function drain(words: BigInt64Array, c: bigint, tasks: number, threads: number, id: number): number[] {
  const got: number[] = [];
  for (let t = claimTask(words, c, tasks, threads, id); t >= 0; t = claimTask(words, c, tasks, threads, id)) got.push(t);
  return got;
}

describe("kernel team task claims", () => {
  it("cuts the tasks into one contiguous range per thread, sizes differing by at most one", () => {
    assert.deepEqual([0, 1, 2, 3].map((j) => rangeStart(j, 10, 3)), [0, 3, 6, 10]);
    assert.deepEqual([0, 1, 2].map((j) => rangeStart(j, 64, 2)), [0, 32, 64]);
    assert.deepEqual([0, 1, 2, 3, 4].map((j) => rangeStart(j, 2, 4)), [0, 0, 1, 1, 2]);
  });

  it("a thread runs its own range in order, then the others' from the next thread on", () => {
    const words = claimWords(4);
    openCall(words, call(1), 10, 3);
    assert.equal(claimTask(words, call(1), 10, 3, 2), 6, "thread 2 starts at its own range");
    assert.equal(claimTask(words, call(1), 10, 3, 1), 3, "thread 1 starts at its own range");
    // Thread 0 alone takes everything else: its range, then thread 1's rest, then thread 2's rest.
    assert.deepEqual(drain(words, call(1), 10, 3, 0), [0, 1, 2, 4, 5, 7, 8, 9]);
    assert.equal(claimTask(words, call(1), 10, 3, 2), -1);
  });

  it("hands out every task exactly once however the threads' claims interleave", () => {
    const rng = new Rng(3);
    for (let round = 0; round < 200; round++) {
      const threads = 1 + Math.floor(rng.uniform() * 5), tasks = Math.floor(rng.uniform() * 40);
      const words = claimWords(threads);
      const c = call(round + 1);
      openCall(words, c, tasks, threads);
      const got: number[] = [];
      const live = new Set(Array.from({ length: threads }, (_, i) => i));
      while (live.size > 0) {
        const ids = [...live];
        const id = ids[Math.floor(rng.uniform() * ids.length)]!;
        const t = claimTask(words, c, tasks, threads, id);
        if (t < 0) live.delete(id);
        else got.push(t);
      }
      assert.deepEqual(got.sort((a, b) => a - b), Array.from({ length: tasks }, (_, i) => i), `round ${round}: ${threads} threads, ${tasks} tasks`);
    }
  });

  it("gives nothing to a thread that read an older call, nor before a new call is opened", () => {
    const words = claimWords(2);
    openCall(words, call(5), 8, 2);
    assert.equal(claimTask(words, call(5), 8, 2, 1), 4);
    assert.deepEqual(drain(words, call(5), 8, 2, 0), [0, 1, 2, 3, 5, 6, 7]); // the team posts a call only after the last one's tasks are done
    closeCall(words, call(6));
    assert.ok(isClosed(firstWord(words)), "word 0 reads as closed while the settings change");
    assert.equal(callOf(firstWord(words)), call(6));
    assert.equal(claimTask(words, call(6), 8, 2, 0), -1, "range 0 is closed, range 1 is call 5's");
    assert.equal(claimTask(words, call(5), 8, 2, 0), -1, "call 5's thread cannot take from a word of call 6");
    openCall(words, call(6), 8, 2);
    assert.ok(!isClosed(firstWord(words)));
    assert.equal(claimTask(words, call(5), 8, 2, 1), -1, "nor from an opened call 6");
    assert.deepEqual(drain(words, call(6), 8, 2, 1), [4, 5, 6, 7, 0, 1, 2, 3]);
  });

  it("keeps the largest call of tasks apart from the call number", () => {
    const words = claimWords(1);
    const c = call(2 ** 30);
    openCall(words, c, MAX_TASKS, 1);
    assert.equal(claimTask(words, c, MAX_TASKS, 1, 0), 0);
    Atomics.store(words, 0, c | BigInt(MAX_TASKS - 1));
    assert.equal(claimTask(words, c, MAX_TASKS, 1, 0), MAX_TASKS - 1);
    assert.equal(claimTask(words, c, MAX_TASKS, 1, 0), -1);
    assert.equal(callOf(firstWord(words)), c, "the last claim did not carry into the call number");
    assert.ok(!isClosed(firstWord(words)), "a call whose tasks are all taken does not read as closed");
  });
});
