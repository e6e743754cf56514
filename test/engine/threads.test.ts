import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { Rng, engine, kernels as K, randn, type Tensor } from "../../engine/index.js";
import { team } from "../../engine/cpu/wasm/team.js";
import { convSettings } from "../../engine/cpu/kernels/conv2d.js";
import { splitEveryCall } from "../helpers/split_team.js";

// Every threaded kernel gives the same bits with 1, 2 and 3 threads, on
// shapes where the split matters: k beyond one packed block (256), filter
// gradients summed over many images and pixels, edge tiles. (The conformance
// suites check the values against reference loops with each thread count.)

const rng = new Rng(7);
const conv = [
  { name: "3x3, 32 channels (k = 288 > 256)", x: [5, 32, 9, 11], w: [24, 32, 3, 3], stride: 1, pad: 1, groups: 1 },
  // 37 images: the direct filter gradient's runs of 3 and one of 1
  { name: "3x3 over 37 images", x: [37, 5, 9, 10], w: [7, 5, 3, 3], stride: 1, pad: 1, groups: 1 },
  { name: "3x3 stride 2, 8 filters, 306 pixels", x: [4, 3, 36, 34], w: [8, 3, 3, 3], stride: 2, pad: 1, groups: 1 },
  { name: "1x1 pointwise", x: [7, 20, 6, 6], w: [13, 20, 1, 1], stride: 1, pad: 0, groups: 1 },
  { name: "grouped 3x3", x: [3, 12, 8, 8], w: [18, 4, 3, 3], stride: 1, pad: 1, groups: 3 },
  { name: "depthwise 5x5", x: [4, 10, 12, 12], w: [10, 1, 5, 5], stride: 1, pad: 2, groups: 10 },
  { name: "depthwise 3x3 stride 2", x: [3, 9, 13, 13], w: [9, 1, 3, 3], stride: 2, pad: 1, groups: 9 },
];

function bits(t: Tensor): number[] {
  return [...new Uint32Array(Float32Array.from(t.dataSync()).buffer)];
}

/** Outputs of `f` with 1, 2 and 3 threads, each call split however small. */
function withThreads(f: () => Tensor[]): number[][][] {
  const restore = splitEveryCall();
  try {
    return [1, 2, 3].map((threads) => {
      team.threads = threads;
      return f().map(bits);
    });
  } finally {
    restore();
  }
}

function assertSameBits(results: number[][][], what: string): void {
  for (const r of results.slice(1)) assert.deepEqual(r, results[0], `${what}: results differ between thread counts`);
}

describe("kernel team", () => {
  after(() => team.stop());

  const forced = { never: "", always: ", direct forced", winograd: ", Winograd forced" } as const;
  for (const c of conv) for (const algorithm of ["never", "always", "winograd"] as const) {
    it(`conv2d ${c.name}${forced[algorithm]}: forward and both gradients are the same bits for 1, 2, 3 threads`, () => {
      const saved = convSettings.direct;
      convSettings.direct = algorithm;
      const x = randn(c.x, rng), w = randn(c.w, rng);
      const attrs = { stride: [c.stride, c.stride], pad: [c.pad, c.pad], groups: c.groups };
      const y = engine.runKernel(K.Conv2D, [x, w], attrs)[0]!;
      const dy = randn(y.shape, rng);
      const shared = team.sharedRuns;
      const results = withThreads(() => [
        engine.runKernel(K.Conv2D, [x, w], attrs)[0]!,
        engine.runKernel(K.Conv2DBackpropInput, [dy, w], { ...attrs, xShape: x.shape })[0]!,
        engine.runKernel(K.Conv2DBackpropFilter, [x, dy], { ...attrs, wShape: w.shape })[0]!,
      ]);
      convSettings.direct = saved;
      assert.ok(team.sharedRuns >= shared + 6, "the 2- and 3-thread runs split every call");
      assertSameBits(results, c.name);
    });
  }

  it("matmul, plain, transposed and batched, is the same bits for 1, 2, 3 threads", () => {
    const a = randn([3, 70, 300], rng), b = randn([3, 300, 45], rng), c = randn([45, 300], rng);
    assertSameBits(withThreads(() => [
      engine.runKernel(K.MatMul, [a, b], { transposeA: false, transposeB: false })[0]!,
      engine.runKernel(K.MatMul, [a, c], { transposeA: false, transposeB: true })[0]!,
      engine.runKernel(K.MatMul, [b, a], { transposeA: true, transposeB: true })[0]!,
    ]), "matmul");
  });

  it("sum, mean and broadcastTo over several tasks are the same bits for 1, 2, 3 threads", () => {
    const x = randn([64, 8, 9, 9], rng), wide = randn([3, 70000], rng), col = randn([64, 8, 1, 1], rng);
    assertSameBits(withThreads(() => [
      engine.runKernel(K.Mean, [x], { axes: [2, 3], keepDims: false })[0]!,
      engine.runKernel(K.Sum, [x], { axes: [0, 2, 3], keepDims: false })[0]!,
      engine.runKernel(K.Sum, [x], { axes: [0], keepDims: true })[0]!,
      engine.runKernel(K.Mean, [wide], { axes: [1], keepDims: false })[0]!,
      engine.runKernel(K.BroadcastTo, [col], { shape: [64, 8, 9, 9] })[0]!,
    ]), "reductions");
  });

  it("gives the same bits after the team shrinks (its surplus helper asleep), grows again and is stopped and restarted", () => {
    // 32 images of 28x28: each call lasts long enough for woken helpers to take part
    const x = randn([32, 8, 28, 28], rng), w = randn([8, 8, 3, 3], rng);
    const attrs = { stride: [1, 1], pad: [1, 1], groups: 1 };
    const run = () => bits(engine.runKernel(K.Conv2D, [x, w], attrs)[0]!);
    const restore = splitEveryCall();
    try {
      const results: number[][] = [];
      const tasksPerCall: number[] = [];
      for (const threads of [3, 2, 3, 1, 3]) {
        team.threads = threads;
        const shared = team.sharedRuns;
        // several calls, so a surplus helper that took work would be seen taking some
        for (let i = 0; i < 10; i++) {
          const before = team.tasksRun;
          results.push(run());
          const ran = team.tasksRun.map((n, id) => n - (before[id] ?? 0));
          ran.slice(threads).forEach((n, k) => assert.equal(n, 0, `helper ${threads + k} ran tasks while the team had ${threads} thread(s)`));
          tasksPerCall.push(ran.reduce((a, b) => a + b, 0));
        }
        // two team calls per convolution: the weights packed, then the images
        assert.equal(team.sharedRuns - shared, threads > 1 ? 20 : 0, `${threads} thread(s)`);
      }
      // every task of every call counted once, whichever threads ran it
      for (const n of tasksPerCall) assert.equal(n, tasksPerCall[0]);
      assert.ok(tasksPerCall[0]! > 3, "the call has more tasks than threads");
      team.stop();
      assert.deepEqual(team.tasksRun.length, 1, "after stop, no helper thread is left");
      results.push(run());
      assert.equal(team.tasksRun.length, 3, "the next shared call starts the helpers again");
      for (const r of results) assert.deepEqual(r, results[0]);
    } finally {
      restore();
    }
  });

  it("helpers stop polling soon after a call: an idle team uses almost no CPU", () => {
    const x = randn([16, 8, 28, 28], rng), w = randn([8, 8, 3, 3], rng);
    const restore = splitEveryCall(3);
    try {
      // three windows, each right after a call: polling helpers would burn every one of them, while a
      // one-off neighbour inside this process (a garbage collection on V8's threads, the previous test's
      // helpers tearing down) spoils one at most
      const usedMs: number[] = [];
      for (let i = 0; i < 3 && !usedMs.some((ms) => ms < 100); i++) {
        engine.runKernel(K.Conv2D, [x, w], { stride: [1, 1], pad: [1, 1], groups: 1 })[0]!.dispose();
        const before = process.cpuUsage();
        // this thread sleeps 300 ms; the process's CPU time is then the helpers' (and the runtime's own)
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300);
        const used = process.cpuUsage(before);
        usedMs.push((used.user + used.system) / 1000);
      }
      // two helpers polling throughout would use 600 ms a window; each polls at most 5 ms
      assert.ok(usedMs.some((ms) => ms < 100), `the idle team used ${usedMs.map((ms) => ms.toFixed(1)).join(", ")} ms of CPU in 300 ms windows`);
    } finally {
      restore();
      x.dispose();
      w.dispose();
    }
  });

  it("refuses more parameter words than a call's block", () => {
    team.run("scalarTask", new Array(64).fill(0), 1, 0, 1); // 64 words are fine (a task over no elements)
    team.sync();
    assert.throws(() => team.run("scalarTask", new Array(65).fill(0), 1, 0, 1), /kernel team: scalarTask has 65 parameter words, more than 64/);
  });

  it("rejects a thread count it cannot use", () => {
    assert.throws(() => { team.threads = 0; }, /kernel team: expected 1 to 256 threads, received 0/);
    assert.throws(() => { team.threads = 1.5; }, /received 1.5/);
    assert.throws(() => { team.threads = 257; }, /kernel team: expected 1 to 256 threads, received 257/);
    const saved = team.threads;
    team.threads = 256; // the most a team may have (started only when a call is shared)
    assert.equal(team.threads, 256);
    team.threads = saved;
  });
});
