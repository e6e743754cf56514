import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CALL, CONTROL, MAX_TASKS, QUEUE, SLOT_WORDS, claimTasks, claimWord, claimedTasks, finishTasks, slotOf } from "../../engine/cpu/wasm/team_queue.mjs";

// The kernel team's call queue, driven by hand: which tasks a claim gets
// from either end, that a thread holding an old call number claims nothing
// from the call that took over its slot, and that only the last task of a
// call moves the queue on.

/** Atomics.waitAsync (Node 16 on; TypeScript's ES2024 library, which this project's target predates). */
const waitAsync = (Atomics as unknown as { waitAsync(a: Int32Array, i: number, v: number): { value: Promise<string> } }).waitAsync;

function queueOf() {
  return {
    control: new Int32Array(new SharedArrayBuffer(4 * 16)),
    queue: new Int32Array(new SharedArrayBuffer(4 * SLOT_WORDS * QUEUE)),
    claims: new BigUint64Array(new SharedArrayBuffer(8 * SLOT_WORDS * QUEUE)),
  };
}

/** Posts call number `call` of `tasks` tasks as team.ts does: its claim word with them all unclaimed. */
function open(claims: BigUint64Array, call: number, tasks: number): number {
  const slot = slotOf(call);
  Atomics.store(claims, slot, claimWord(call, 0, tasks));
  return slot;
}

/** Every claim's first task until none is left, from the front or the back. */
function drain(claims: BigUint64Array, call: number, threads: number, fromBack = false): number[] {
  const got: number[] = [];
  for (let t = claimTasks(claims, slotOf(call), call, threads, fromBack); t >= 0; t = claimTasks(claims, slotOf(call), call, threads, fromBack)) got.push(t);
  return got;
}

describe("kernel team call queue", () => {
  it("gives a shared call's tasks out one at a time, in order from the front, in reverse from the back, each once", () => {
    const { claims } = queueOf();
    open(claims, 5, 7);
    assert.deepEqual(drain(claims, 5, 2), [0, 1, 2, 3, 4, 5, 6]);
    open(claims, 5 + QUEUE, 7);
    assert.deepEqual(drain(claims, 5 + QUEUE, 2, true), [6, 5, 4, 3, 2, 1, 0]);
    assert.deepEqual([0, 3, 6].map((t) => claimedTasks(t, 7, 2)), [1, 1, 1]);
  });

  it("the two ends meet: the front takes a prefix, the back the rest, no task twice", () => {
    const { claims } = queueOf();
    open(claims, 8, 9);
    const front: number[] = [], back: number[] = [];
    // the front claims twice as often, as a thread twice as fast would
    for (let i = 0; ; i++) {
      const fromBack = i % 3 === 2, t = claimTasks(claims, slotOf(8), 8, 2, fromBack);
      if (t < 0) break;
      (fromBack ? back : front).push(t);
    }
    assert.deepEqual(front, [0, 1, 2, 3, 4, 5]);
    assert.deepEqual(back, [8, 7, 6]);
    assert.equal(claimTasks(claims, slotOf(8), 8, 2, false), -1);
    assert.equal(claimTasks(claims, slotOf(8), 8, 2, true), -1);
  });

  it("gives a one-thread call whole to its first claimant, at either end", () => {
    const { claims } = queueOf();
    open(claims, 9, 6);
    assert.equal(claimTasks(claims, slotOf(9), 9, 1, true), 0, "from the back too, the call from task 0");
    assert.equal(claimedTasks(0, 6, 1), 6);
    assert.equal(claimedTasks(2, 6, 1), 4, "whole from where the range begins");
    assert.equal(claimTasks(claims, slotOf(9), 9, 1, false), -1, "a second claimant gets nothing");
  });

  it("gives nothing to a claim for another call than the slot holds, older or newer", () => {
    const { claims } = queueOf();
    assert.equal(slotOf(3), slotOf(3 + QUEUE), "calls QUEUE apart share a slot");
    assert.notEqual(slotOf(3), slotOf(4));
    open(claims, 3 + QUEUE, 10);
    for (const fromBack of [false, true]) {
      assert.equal(claimTasks(claims, slotOf(3), 3, 2, fromBack), -1, "the call before in that slot");
      assert.equal(claimTasks(claims, slotOf(3), 3 + 2 * QUEUE, 2, fromBack), -1, "a call not yet posted");
    }
    assert.equal(claimTasks(claims, slotOf(3), 3 + QUEUE, 2, false), 0);
    assert.equal(claimTasks(claims, slotOf(3), 3 + QUEUE, 2, true), 9);
    // a thread may fall far behind: the word tells calls apart up to 2^24 calls
    open(claims, 3 + 2 ** 23 + QUEUE, 10);
    assert.equal(claimTasks(claims, slotOf(3), 3 + QUEUE, 2, false), -1, "2^23 calls before");
  });

  it("holds the most tasks a queued call may have, and its number past 2^24 and 2^31 calls", () => {
    const { claims } = queueOf();
    for (const call of [2 ** 24 - 1, 2 ** 31 - 1]) {
      open(claims, call, MAX_TASKS);
      assert.equal(claimTasks(claims, slotOf(call), call, 2, true), MAX_TASKS - 1);
      assert.equal(claimTasks(claims, slotOf(call), call, 2, false), 0);
      assert.equal(claimTasks(claims, slotOf(call), call, 1, false), 1, "the rest, whole");
      assert.equal(Atomics.load(claims, slotOf(call)), claimWord(call, MAX_TASKS - 1, MAX_TASKS - 1), "nothing left, the call's number kept");
      assert.equal(claimTasks(claims, slotOf(call), call, 2, true), -1);
      const next = (call + 1) | 0; // the next call's number, as team.ts keeps it
      open(claims, next, 3);
      assert.equal(claimTasks(claims, slotOf(next), next, 2, false), 0);
      assert.equal(claimTasks(claims, slotOf(call), call, 2, false), -1, "the call before, whose number's low bits differ");
    }
  });

  it("moves the queue on and wakes the sleepers only when the call's last task is done", async () => {
    const { control, queue } = queueOf();
    const slot = slotOf(7);
    Atomics.store(control, CONTROL.head, 7);
    Atomics.store(control, CONTROL.tail, 9);
    finishTasks(control, queue, slot, 7, 5, 2);
    finishTasks(control, queue, slot, 7, 5, 2);
    assert.equal(queue[slot + CALL.done], 4);
    assert.deepEqual([Atomics.load(control, CONTROL.head), Atomics.load(control, CONTROL.gen)], [7, 0], "one task still running");
    Atomics.store(control, CONTROL.sleepers, 1);
    const woken = waitAsync(control, CONTROL.gen, 0).value;
    finishTasks(control, queue, slot, 7, 5, 1);
    assert.deepEqual([Atomics.load(control, CONTROL.head), Atomics.load(control, CONTROL.gen)], [8, 1]);
    assert.equal(await woken, "ok", "a sleeper was woken");
  });

  it("numbers past 2^31 wrap, and the queue moves on to the wrapped number", () => {
    const { control, queue } = queueOf();
    const call = 2 ** 31 - 1;
    finishTasks(control, queue, slotOf(call), call, 1, 1);
    assert.equal(Atomics.load(control, CONTROL.head), -(2 ** 31));
  });
});
