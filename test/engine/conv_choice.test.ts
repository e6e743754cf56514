import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Rng, engine, kernels as K, randn } from "../../engine/index.js";
import { team } from "../../engine/cpu/wasm/team.js";
import { convSettings } from "../../engine/cpu/kernels/conv2d.js";
import { wasm } from "../../engine/cpu/wasm/module.js";

// Which CPU kernel runs each pass of a convolution (conv2d.ts): the
// conformance suites check each kernel's values with every choice forced;
// these check the choice by shape, from the calls the kernel team receives.

const rng = new Rng(3);

/** The team kernels that the forward pass, the input gradient and the filter gradient call, in order. */
function kernelsOf(c: number, cout: number, k: number, stride: number, groups: number, kw = k, pad = 1): string[][] {
  const x = randn([2, c, 9, 8], rng), w = randn([cout, c / groups, k, kw], rng);
  const attrs = { stride: [stride, stride], pad: [pad, pad], groups };
  const calls: string[] = [];
  const run = team.run.bind(team);
  team.run = (kernel, params, tasks, scratch, work) => {
    calls.push(kernel);
    run(kernel, params, tasks, scratch, work);
  };
  const passes: string[][] = [];
  try {
    const y = engine.runKernel(K.Conv2D, [x, w], attrs)[0]!;
    passes.push(calls.splice(0));
    const dy = randn(y.shape, rng);
    engine.runKernel(K.Conv2DBackpropInput, [dy, w], { ...attrs, xShape: x.shape })[0]!.dispose();
    passes.push(calls.splice(0));
    engine.runKernel(K.Conv2DBackpropFilter, [x, dy], { ...attrs, wShape: w.shape })[0]!.dispose();
    passes.push(calls.splice(0));
    for (const t of [x, w, y, dy]) t.dispose();
  } finally {
    team.run = run;
  }
  return passes;
}

const WINOGRAD = ["winogradPackTask", "winogradConvTask"];
const DIRECT = ["directPackTask", "directConvTask"];
const DIRECT_FILTER = ["directFilterRunTask", "sumSlicesTask"];
const GEMM_FILTER = ["filterSliceTask", "sumSlicesTask"];
const GEMM = [["convForwardTask"], ["convBackpropInputTask"], GEMM_FILTER];

describe("CPU convolution kernel by shape", () => {
  it("3x3 stride 1: Winograd's forward and input gradient from 12 channels on each side, the direct kernel below", () => {
    assert.deepEqual(kernelsOf(12, 12, 3, 1, 1), [WINOGRAD, WINOGRAD, DIRECT_FILTER]);
    assert.deepEqual(kernelsOf(11, 16, 3, 1, 1), [DIRECT, DIRECT, DIRECT_FILTER]);
    assert.deepEqual(kernelsOf(16, 11, 3, 1, 1), [DIRECT, DIRECT, DIRECT_FILTER]);
    assert.deepEqual(kernelsOf(8, 8, 3, 1, 1), [DIRECT, DIRECT, DIRECT_FILTER]);
    assert.deepEqual(kernelsOf(16, 16, 3, 1, 1, 5), [DIRECT, DIRECT, DIRECT_FILTER], "3x5");
    assert.deepEqual(kernelsOf(16, 16, 5, 1, 1, 3), [DIRECT, DIRECT, DIRECT_FILTER], "5x3");
  });

  it("past 32 channels: Winograd for 3x3 stride 1, the GEMM path otherwise (and for every filter gradient)", () => {
    assert.deepEqual(kernelsOf(40, 36, 3, 1, 1), [WINOGRAD, WINOGRAD, GEMM_FILTER]);
    assert.deepEqual(kernelsOf(40, 36, 5, 1, 1), GEMM);
  });

  it("the direct kernel up to 32 channels on both sides, for kernels larger than 1x1", () => {
    assert.deepEqual(kernelsOf(32, 32, 5, 1, 1), [DIRECT, DIRECT, DIRECT_FILTER]);
    assert.deepEqual(kernelsOf(33, 16, 5, 1, 1), GEMM);
    assert.deepEqual(kernelsOf(16, 33, 5, 1, 1), GEMM);
    assert.deepEqual(kernelsOf(8, 8, 1, 1, 1, 1, 0), GEMM, "1x1");
  });

  it("stride 2 and groups take the GEMM path at any channel count", () => {
    assert.deepEqual(kernelsOf(16, 16, 3, 2, 1), GEMM);
    assert.deepEqual(kernelsOf(16, 16, 3, 1, 2), GEMM);
  });

  it("a pass shares its kernel calls with the team when they are large enough: batch 32 at 16 channels 14x14 does, one 2x2 image of 12 does not", () => {
    const saved = { threads: team.threads, adaptive: team.adaptive };
    Object.assign(team, { threads: 2, adaptive: false });
    try {
      // Winograd's packing (16 transformed values per filter pair, 65,536 of them here) is shared, the direct kernel's (2,304) not
      for (const [direct, packShared] of [["auto", 1], ["always", 0]] as const) {
        const before = convSettings.direct;
        convSettings.direct = direct;
        try {
          for (const [n, c, size, shared] of [[32, 16, 14, true], [1, 12, 2, false]] as const) {
            const x = randn([n, c, size, size], rng), w = randn([c, c, 3, 3], rng);
            const attrs = { stride: [1, 1], pad: [1, 1], groups: 1 };
            const counts: number[] = [];
            let runs = team.sharedRuns;
            const y = engine.runKernel(K.Conv2D, [x, w], attrs)[0]!;
            counts.push(team.sharedRuns - runs);
            runs = team.sharedRuns;
            engine.runKernel(K.Conv2DBackpropInput, [y, w], { ...attrs, xShape: x.shape })[0]!.dispose();
            counts.push(team.sharedRuns - runs);
            runs = team.sharedRuns;
            engine.runKernel(K.Conv2DBackpropFilter, [x, y], { ...attrs, wShape: w.shape })[0]!.dispose();
            counts.push(team.sharedRuns - runs);
            // forward and input gradient: the images (and the packing); filter gradient: the runs (their
            // sum, 16 x 2304 additions, stays below the team's threshold)
            assert.deepEqual(counts, shared ? [1 + packShared, 1 + packShared, 1] : [0, 0, 0], `${direct}, ${n} image(s) of ${size}x${size}`);
            for (const t of [x, w, y]) t.dispose();
          }
        } finally {
          convSettings.direct = before;
        }
      }
    } finally {
      Object.assign(team, saved);
    }
  });

  it("forced: \"always\" keeps 3x3 on the direct kernel, \"winograd\" takes every 3x3 stride-1 pass, \"never\" the GEMM", () => {
    const saved = convSettings.direct;
    try {
      convSettings.direct = "always";
      assert.deepEqual(kernelsOf(16, 16, 3, 1, 1), [DIRECT, DIRECT, DIRECT_FILTER]);
      assert.deepEqual(kernelsOf(40, 36, 5, 1, 1), [DIRECT, DIRECT, DIRECT_FILTER], "40 channels");
      convSettings.direct = "winograd";
      assert.deepEqual(kernelsOf(4, 4, 3, 1, 1), [WINOGRAD, WINOGRAD, DIRECT_FILTER]);
      assert.deepEqual(kernelsOf(4, 4, 5, 1, 1), [DIRECT, DIRECT, DIRECT_FILTER]);
      convSettings.direct = "never";
      assert.deepEqual(kernelsOf(16, 16, 3, 1, 1), GEMM);
    } finally {
      convSettings.direct = saved;
    }
  });
});

describe("the stride-1 kernels and the heap", () => {
  it("Winograd's and the direct kernel's passes hand their packed filters and scratch back", () => {
    for (const channels of [16, 8]) {
      const x = randn([3, channels, 10, 9], rng), w = randn([channels, channels, 3, 3], rng);
      const attrs = { stride: [1, 1], pad: [1, 1], groups: 1 };
      const passes = () => {
        const y = engine.runKernel(K.Conv2D, [x, w], attrs)[0]!;
        engine.runKernel(K.Conv2DBackpropInput, [y, w], { ...attrs, xShape: x.shape })[0]!.dispose();
        engine.runKernel(K.Conv2DBackpropFilter, [x, y], { ...attrs, wShape: w.shape })[0]!.dispose();
        y.dispose();
      };
      passes(); // the first calls may grow the heap
      const before = wasm.heap.stats().usedBytes;
      for (let i = 0; i < 3; i++) passes();
      assert.equal(wasm.heap.stats().usedBytes, before, `${channels} channels`);
      for (const t of [x, w]) t.dispose();
    }
  });
});
