import assert from "node:assert/strict";
import { availableParallelism } from "node:os";
import { after, describe, it } from "node:test";
import { engine, kernels as K, tensor, tidy, waitForKernels, type Tensor } from "../../engine/index.js";
import { LoadWatch } from "../../engine/cpu/wasm/machine_load.js";
import { KernelTeam, team } from "../../engine/cpu/wasm/team.js";
import { MAX_TASKS } from "../../engine/cpu/wasm/team_queue.mjs";
import { wasm } from "../../engine/cpu/wasm/module.js";
import { splitEveryCall } from "../helpers/split_team.js";
import { scaleOnTeam } from "../helpers/team_scale.js";

// Queued kernel calls: with more than one thread a call returns before it
// has run, the calls run in the order posted, each after the one before has
// finished, and reading a tensor waits for the calls that write it.

/** A machine that leaves `free` cores to the team (every core where not told). */
class WholeTeam extends LoadWatch {
  constructor(private readonly free = Infinity) {
    super(() => null, 2);
  }
  override threads(size: number): number {
    return Math.min(size, this.free);
  }
}

/** Runs `body` on a new team of `threads` threads, `free` cores left to it, `deferred` as told; ends its helpers after. */
function onTeam(threads: number, options: { free?: number; deferred?: boolean }, body: (t: KernelTeam) => void): void {
  const t = new KernelTeam(threads, new WholeTeam(options.free));
  t.deferred = options.deferred ?? true;
  try {
    body(t);
  } finally {
    t.stop();
  }
}

// calls of about a millisecond each (2^20 floats)
const { x, y, values } = scaleOnTeam(1 << 20, 1 << 16);
const TRIPLE = [1, x, y, 1 << 20, 1 << 16, 0, 1074266112]; // scalar multiply, x to y, by 3 (its f64 words)

describe("queued kernel calls", () => {
  after(() => team.stop());

  it("a call returns before it has run while two threads run; sync() waits for it, and the values are right", { skip: availableParallelism() < 2 && "one core" }, () => onTeam(2, {}, (t) => {
    values(x).fill(0.5);
    values(y).fill(0);
    for (let i = 0; i < 20; i++) t.run("scalarTask", TRIPLE, 16, 0, 1 << 20);
    assert.ok(t.pending > 0, "20 ms of calls, queued in microseconds, are not all done");
    t.sync();
    assert.equal(t.pending, 0);
    assert.deepEqual([...new Set(values(y))], [1.5]);
  }));

  it(`a call of more tasks than a queued call holds (${MAX_TASKS}) runs each task once, the rest in the next call`, () => onTeam(2, {}, (t) => {
    const n = MAX_TASKS + 6, long = scaleOnTeam(n, 1);
    long.values(long.x).forEach((_, i, v) => { v[i] = i; });
    long.values(long.y).fill(-1);
    t.run("scalarTask", [1, long.x, long.y, n, 1, 0, 1074266112], n, 0, n); // one element a task, times 3
    assert.equal(t.pending, 2);
    t.sync();
    const y = long.values(long.y);
    assert.deepEqual([y[0], y[MAX_TASKS - 1], y[MAX_TASKS], y[n - 1]], [0, 3 * (MAX_TASKS - 1), 3 * MAX_TASKS, 3 * (n - 1)]);
    assert.ok(y.every((v, i) => v === 3 * i), "every element tripled once");
  }));

  it("a call of no tasks is not queued: the calls after it run", { skip: availableParallelism() < 2 && "one core" }, () => onTeam(2, {}, (t) => {
    values(x).fill(4);
    t.run("scalarTask", TRIPLE, 0, 0, 1 << 20);
    assert.equal(t.pending, 0);
    t.run("scalarTask", TRIPLE, 16, 0, 1 << 20);
    t.sync();
    assert.deepEqual([...new Set(values(y))], [12]);
  }));

  it("keeps one scratch block for the team, renewed (the old one freed) when a call needs more or the team grows", () => onTeam(1, { deferred: false }, (t) => {
    values(x).fill(1);
    const used = () => wasm.heap.stats().usedBytes;
    const before = used();
    t.run("scalarTask", TRIPLE, 16, 0, 1); // no scratch asked for: the least block, 64 bytes
    assert.equal(used() - before, 64);
    t.threads = 3;
    t.run("scalarTask", TRIPLE, 16, 0, 1);
    assert.equal(used() - before, 64, "3 threads of no scratch: the block renewed, not added to");
    t.run("scalarTask", TRIPLE, 16, 100, 1);
    assert.equal(used() - before, 3 * 448, "100 floats a thread, in 64-byte lines, for 3 threads");
    t.run("scalarTask", TRIPLE, 16, 10, 1);
    assert.equal(used() - before, 3 * 448, "less scratch: the same block");
    assert.deepEqual([...new Set(values(y))], [3]);
  }));

  it("a queued call that traps on the calling thread throws its own error at sync(), and the calls queued after it are skipped", () => onTeam(2, {}, (t) => {
    values(x).fill(1);
    values(y).fill(0);
    // one task of enough work: queued (two threads in use) but not shared, so no helper starts and the calling thread runs it
    const outside = (1 << 30) * 4 - 64, triple = (from: number) => [1, from, y, 1 << 20, 1 << 20, 0, 1074266112];
    t.run("scalarTask", triple(outside), 1, 0, 1 << 20);
    t.run("scalarTask", triple(x), 1, 0, 1 << 20);
    assert.equal(t.pending, 2, "both queued");
    assert.throws(() => t.sync(), (e: Error) => /out of bounds/.test(e.message) && !/helper/.test(e.message));
    assert.deepEqual([...new Set(values(y))], [0], "the call after the trap did not run");
    t.run("scalarTask", triple(x), 1, 0, 1 << 20);
    t.sync();
    assert.deepEqual([...new Set(values(y))], [3], "the next call runs");
    assert.deepEqual(t.tasksRun, [3], "the calling thread counted all three, no helper started");
  }));

  it("not queued, a call has run when it returns", () => onTeam(2, { deferred: false }, (t) => {
    values(x).fill(2);
    t.run("scalarTask", TRIPLE, 16, 0, 1 << 20);
    assert.equal(t.pending, 0);
    assert.deepEqual([...new Set(values(y))], [6]);
  }));

  it("with one thread in use (the other cores held by other processes), a call runs when made, on the calling thread", { skip: availableParallelism() < 2 && "one core" }, () => onTeam(2, { free: 1 }, (t) => {
    values(x).fill(1);
    t.run("scalarTask", TRIPLE, 16, 0, 1 << 20);
    assert.equal(t.pending, 0, "nothing queued");
    assert.deepEqual([...new Set(values(y))], [3]);
    assert.deepEqual(t.tasksRun, [16], "no helper started, none took a task");
  }));

  it("runs a chain of calls that read other tasks' output in order, past a full queue", () => {
    // v <- shift(v) + 1, 200 times: a matrix product whose every task reads
    // rows that other tasks of the product before wrote, then an add; 400
    // calls queued with nothing read in between, more than the queue holds
    const n = 256, steps = 200;
    const shift = new Float32Array(n * n);
    for (let i = 0; i < n; i++) shift[i * n + ((i + 1) % n)] = 1;
    const p = tensor(shift, [n, n]), one = tensor(new Float32Array(n).fill(1), [n, 1]);
    const v0 = Float32Array.from({ length: n }, (_, i) => i * 1000);
    const restore = splitEveryCall(2);
    try {
      let v: Tensor = tensor(v0, [n, 1]);
      for (let s = 0; s < steps; s++) {
        const next = tidy(() => engine.runKernel(K.Add, [engine.runKernel(K.MatMul, [p, v], { transposeA: false, transposeB: false })[0]!, one], {})[0]!);
        v.dispose();
        v = next;
      }
      const got = v.dataSync();
      const want = Float32Array.from({ length: n }, (_, i) => v0[(i + steps) % n]! + steps);
      assert.deepEqual([...got], [...want]);
      v.dispose();
    } finally {
      restore();
      for (const t of [p, one]) t.dispose();
    }
  });

  it("waitForKernels() returns once the calls made are done, and throws a failure among them", { skip: availableParallelism() < 2 && "one core" }, () => {
    const restore = splitEveryCall(2);
    try {
      const big = tensor(new Float32Array(1 << 20).fill(1), [1 << 20]);
      const outs = Array.from({ length: 10 }, () => engine.runKernel(K.AddScalar, [big], { value: 1 })[0]!);
      assert.ok(team.pending > 0, "queued");
      waitForKernels();
      assert.equal(team.pending, 0);
      const outside = (1 << 30) * 4 - 64; // past the heap's end: the task traps
      team.run("scalarTask", [0, outside, outside, 1 << 20, 1 << 16, 0, 0], 16, 0, 1 << 20);
      assert.throws(() => waitForKernels(), /out of bounds|failed on a helper thread/);
      assert.equal(outs[9]!.dataSync()[5], 2, "the calls before it stand");
      for (const t of [big, ...outs]) t.dispose();
    } finally {
      restore();
    }
  });
});
