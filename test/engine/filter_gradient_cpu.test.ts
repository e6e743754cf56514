import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Rng, engine, full, kernels as K, randn, type Tensor } from "../../engine/index.js";
import { wasm } from "../../engine/cpu/wasm/module.js";
import { team } from "../../engine/cpu/wasm/team.js";
import { splitEveryCall } from "../helpers/split_team.js";

// The CPU filter gradient of the GEMM path sums runs of images into partial
// gradients in scratch from the heap (conv2d.ts, filterGradient). The
// conformance suites check its values; these check how it cuts the images
// and its use of the heap.

const rng = new Rng(11);
// 37 images: runs of 3 and one of 1; a 1x1 convolution and a 3x3 stride-2 one (both off the direct kernel)
const cases = [
  { name: "1x1", x: [37, 4, 3, 2], w: [6, 4, 1, 1], stride: 1, pad: 0 },
  { name: "3x3 stride 2", x: [37, 3, 4, 5], w: [5, 3, 3, 3], stride: 2, pad: 1 },
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
  it("cuts the images into runs by the shape alone, at most 16: 37 images into 13 runs, 5 into 5, on 1 and 3 threads", () => {
    const c = cases[0]!;
    for (const n of [37, 5]) {
      const [x, dy] = operands({ ...c, x: [n, ...c.x.slice(1)] });
      for (const threads of [1, 3]) {
        const restore = splitEveryCall(threads);
        try {
          const before = team.tasksRun.reduce((a, b) => a + b, 0);
          filterGradient(x, dy, c).dispose();
          // a task per run, then one summing the runs (24 weights)
          assert.equal(team.tasksRun.reduce((a, b) => a + b, 0) - before, (n === 37 ? 13 : 5) + 1, `${n} images, ${threads} thread(s)`);
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
