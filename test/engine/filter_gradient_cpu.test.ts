import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Rng, engine, full, kernels as K, randn, type Tensor } from "../../engine/index.js";
import { wasm } from "../../engine/cpu/wasm/module.js";
import { team } from "../../engine/cpu/wasm/team.js";
import { splitEveryCall } from "../helpers/split_team.js";

// The CPU filter gradients of the GEMM path and of the direct kernel sum
// runs of images into partial gradients in scratch from the heap (conv2d.ts,
// filterGradient and directFilterGradient). The conformance suites check
// their values; these check how they cut the images and their use of the heap.

const rng = new Rng(11);
// 37 images: runs of 3 and one of 1; a 1x1 convolution and a 3x3 stride-2 one
// (the GEMM path), and a 3x3 stride-1 one (the direct kernel)
const cases = [
  { name: "1x1", x: [37, 4, 3, 2], w: [6, 4, 1, 1], stride: 1, pad: 0 },
  { name: "3x3 stride 2", x: [37, 3, 4, 5], w: [5, 3, 3, 3], stride: 2, pad: 1 },
  { name: "3x3 direct", x: [37, 3, 6, 5], w: [5, 3, 3, 3], stride: 1, pad: 1 },
];

type Case = (typeof cases)[number];
const attrs = (c: Case) => ({ stride: [c.stride, c.stride], pad: [c.pad, c.pad], groups: 1 });

/** x and a dy of the convolution's output shape. */
function operands(c: Case): [Tensor, Tensor] {
  const x = randn(c.x, rng), w = randn(c.w, rng);
  const y = engine.runKernel(K.Conv2D, [x, w], attrs(c))[0]!;
  const dy = randn(y.shape, rng);
  for (const t of [w, y]) t.dispose();
  return [x, dy];
}

function filterGradient(x: Tensor, dy: Tensor, c: Case): Tensor {
  return engine.runKernel(K.Conv2DBackpropFilter, [x, dy], { ...attrs(c), wShape: c.w })[0]!;
}

describe("CPU filter gradient and the heap", () => {
  it("cuts the images into runs by the shape alone, at most 16: 37 images into 13 runs, 5 into 5, on 1 and 3 threads, GEMM path and direct kernel", () => {
    for (const c of [cases[0]!, cases[2]!]) for (const n of [37, 5]) {
      const [x, dy] = operands({ ...c, x: [n, ...c.x.slice(1)] });
      for (const threads of [1, 3]) {
        const restore = splitEveryCall(threads);
        try {
          const before = team.tasksRun.reduce((a, b) => a + b, 0);
          filterGradient(x, dy, c).dispose();
          // a task per run, then one summing the runs (24 or 45 weights)
          assert.equal(team.tasksRun.reduce((a, b) => a + b, 0) - before, (n === 37 ? 13 : 5) + 1, `${c.name}, ${n} images, ${threads} thread(s)`);
        } finally {
          restore();
        }
      }
      x.dispose();
      dy.dispose();
    }
  });

  it("cuts them into fewer runs where 16 runs' partial gradients would pass 64 MiB: 16 images, 1100 -> 1100 1x1, in 8 runs, not 16", () => {
    const c = { name: "wide 1x1", x: [16, 1100, 1, 1], w: [1100, 1100, 1, 1], stride: 1, pad: 0 };
    const x = randn(c.x, rng), dy = randn([16, 1100, 1, 1], rng);
    const before = team.tasksRun.reduce((a, b) => a + b, 0);
    filterGradient(x, dy, c).dispose();
    // 1,210,000 weights: 13 partials fit in 64 MiB, so 8 runs of 2 images; then 296 tasks of 4096 weights sum them
    assert.equal(team.tasksRun.reduce((a, b) => a + b, 0) - before, 8 + Math.ceil(1100 * 1100 / 4096));
    x.dispose();
    dy.dispose();
  });

  it("direct kernel: a run whose images do not all fit its cache budget, placed two of three at a time, sums them all", () => {
    // 8 channels of 40x40: each placed image takes about 27,000 floats, so a
    // run of 3 (37 images) places 2 and then 1 within its 65,536
    const c = { name: "3x3 direct, 40x40", x: [37, 8, 40, 40], w: [8, 8, 3, 3], stride: 1, pad: 1 };
    const [x, dy] = operands(c);
    const dw = filterGradient(x, dy, c).dataSync();
    const xs = x.dataSync(), dys = dy.dataSync();
    const [n, ch, h, w] = c.x as [number, number, number, number];
    for (const [co, ci, ky, kx] of [[0, 0, 0, 0], [7, 7, 2, 2], [3, 5, 1, 0], [6, 2, 2, 1]] as const) {
      let expected = 0; // float64, image by image
      for (let b = 0; b < n; b++) for (let y = 0; y < h; y++) for (let xx = 0; xx < w; xx++) {
        const iy = y - 1 + ky, ix = xx - 1 + kx;
        if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
        expected += dys[((b * ch + co) * h + y) * w + xx]! * xs[((b * ch + ci) * h + iy) * w + ix]!;
      }
      const got = dw[((co * ch + ci) * 3 + ky) * 3 + kx]!;
      assert.ok(Math.abs(got - expected) <= 1e-3 * (1 + Math.abs(expected)), `dw[${co}][${ci}][${ky}][${kx}]: ${got} against ${expected}`);
    }
    for (const t of [x, dy]) t.dispose();
  });

  for (const c of cases) {
    it(`${c.name}: reads only what it wrote, the same bits over freed memory full of NaN`, () => {
      const [x, dy] = operands(c);
      const clean = filterGradient(x, dy, c);
      const expected = [...clean.dataSync()];
      clean.dispose();
      full([1 << 20], Number.NaN).dispose(); // the next blocks taken come out of these 4 MiB of NaN
      const dirty = filterGradient(x, dy, c);
      assert.deepEqual([...dirty.dataSync()], expected);
      for (const t of [x, dy, dirty]) t.dispose();
    });

    it(`${c.name}: hands its scratch back to the heap`, () => {
      const [x, dy] = operands(c);
      filterGradient(x, dy, c).dispose(); // the first call may grow the heap
      const before = wasm.heap.stats().usedBytes;
      for (let i = 0; i < 3; i++) filterGradient(x, dy, c).dispose();
      assert.equal(wasm.heap.stats().usedBytes, before);
      x.dispose();
      dy.dispose();
    });
  }
});
