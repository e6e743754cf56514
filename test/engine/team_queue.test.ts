import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CALL, CONTROL, MAX_TASKS, QUEUE, SLOT_WORDS, claimTasks, claimedTasks, finishTasks, slotOf } from "../../engine/cpu/wasm/team_queue.mjs";

// The kernel team's call queue, driven by hand: which tasks a claim gets,
// that a thread holding an old call number claims nothing from the call that
// took over its slot, and that only the last task of a call moves the queue on.

/** Atomics.waitAsync (Node 16 on; TypeScript's ES2024 library, which this project's target predates). */
const waitAsync = (Atomics as unknown as { waitAsync(a: Int32Array, i: number, v: number): { value: Promise<string> } }).waitAsync;

function queueOf() {
  return {
    control: new Int32Array(new SharedArrayBuffer(4 * 16)),
    queue: new Int32Array(new SharedArrayBuffer(4 * SLOT_WORDS * QUEUE)),
    claims: new BigInt64Array(new SharedArrayBuffer(8 * SLOT_WORDS * QUEUE)),
  };
}

/** Posts call number `call` as team.ts does: its claim word at task 0. */
function open(claims: BigInt64Array, call: number): number {
  const slot = slotOf(call);
  Atomics.store(claims, slot, BigInt(call) << 24n);
  return slot;
}

/** Every claim's first task until none is left. */
function drain(claims: BigInt64Array, call: number, tasks: number, threads: number): number[] {
  const got: number[] = [];
  for (let t = claimTasks(claims, slotOf(call), call, tasks, threads); t >= 0; t = claimTasks(claims, slotOf(call), call, tasks, threads)) got.push(t);
  return got;
}

describe("kernel team call queue", () => {
  it("gives a shared call's tasks out one at a time, in order, each once", () => {
    const { claims } = queueOf();
    open(claims, 5);
    assert.deepEqual(drain(claims, 5, 7, 2), [0, 1, 2, 3, 4, 5, 6]);
    assert.deepEqual([0, 3, 6].map((t) => claimedTasks(t, 7, 2)), [1, 1, 1]);
  });

  it("gives a one-thread call whole to its first claimant", () => {
    const { claims } = queueOf();
    open(claims, 9);
    assert.equal(claimTasks(claims, slotOf(9), 9, 6, 1), 0);
    assert.equal(claimedTasks(0, 6, 1), 6);
    assert.equal(claimTasks(claims, slotOf(9), 9, 6, 1), -1, "a second claimant gets nothing");
  });

  it("gives nothing to a claim for another call than the slot holds, older or newer", () => {
    const { claims } = queueOf();
    assert.equal(slotOf(3), slotOf(3 + QUEUE), "calls QUEUE apart share a slot");
    assert.notEqual(slotOf(3), slotOf(4));
    open(claims, 3 + QUEUE);
    assert.equal(claimTasks(claims, slotOf(3), 3, 10, 2), -1, "the call before in that slot");
    assert.equal(claimTasks(claims, slotOf(3), 3 + 2 * QUEUE, 10, 2), -1, "a call not yet posted");
    assert.equal(claimTasks(claims, slotOf(3), 3 + QUEUE, 10, 2), 0);
  });

  it("holds the most tasks a call may have, and its number past 2^31 calls", () => {
    const { claims } = queueOf();
    const call = 2 ** 31 - 1;
    open(claims, call);
    assert.equal(claimTasks(claims, slotOf(call), call, MAX_TASKS, 1), 0);
    assert.equal(claimTasks(claims, slotOf(call), call, MAX_TASKS, 2), -1);
    const wrapped = (call + 1) | 0; // the next call's number, as team.ts keeps it
    open(claims, wrapped);
    assert.equal(claimTasks(claims, slotOf(wrapped), wrapped, 3, 2), 0);
    assert.equal(claimTasks(claims, slotOf(call), call, MAX_TASKS, 2), -1, "the call before wraps to a different word");
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
