import assert from "node:assert/strict";
import { it } from "node:test";
import { zeros } from "../../engine/index.js";
import { conv2d } from "../../autograd/index.js";
import { CPU_CONV_FORCED, CPU_THREADS, WEBGPU, WEBGPU_IMPLICIT_DIRECT, WEBGPU_IMPLICIT_TILED, conformance } from "../helpers/backends.js";
import { checkOp } from "../helpers/check_op.js";
import * as ref from "../helpers/ref.js";

interface Case { n: number; c: number; h: number; w: number; co: number; k: number; s: number; p: number; g: number }

const cases: [string, Case][] = [
  ["3x3, pad 1", { n: 2, c: 3, h: 5, w: 6, co: 4, k: 3, s: 1, p: 1, g: 1 }],
  ["3x3 unpadded, 5 filters (direct path: input gradient padded by 2, a partial block of filters)", { n: 2, c: 3, h: 6, w: 7, co: 5, k: 3, s: 1, p: 0, g: 1 }],
  ["5x5, pad 1, rows of 11 (direct path: blocks of 8 pixels across rows)", { n: 1, c: 2, h: 7, w: 11, co: 3, k: 5, s: 1, p: 1, g: 1 }],
  ["3x3, stride 2, odd sizes", { n: 1, c: 2, h: 7, w: 5, co: 3, k: 3, s: 2, p: 1, g: 1 }],
  ["3x3, stride 2, rows of 21 (im2col and col2im four columns at a time, then one)", { n: 2, c: 3, h: 7, w: 21, co: 4, k: 3, s: 2, p: 1, g: 1 }],
  ["1x1 (pointwise GEMM path)", { n: 2, c: 5, h: 3, w: 4, co: 3, k: 1, s: 1, p: 0, g: 1 }],
  ["1x1 with channels and pixels in fours (vec4 loads on webgpu)", { n: 2, c: 8, h: 4, w: 6, co: 36, k: 1, s: 1, p: 0, g: 1 }],
  ["1x1 stride 2 (im2col path)", { n: 1, c: 3, h: 5, w: 5, co: 2, k: 1, s: 2, p: 0, g: 1 }],
  ["5x5, pad 2, groups 2", { n: 1, c: 4, h: 6, w: 5, co: 6, k: 5, s: 1, p: 2, g: 2 }],
  ["7x7, pad 3, stride 2", { n: 1, c: 2, h: 9, w: 8, co: 2, k: 7, s: 2, p: 3, g: 1 }],
  // the Winograd kernel places 8 input columns at a time; its input gradient is padded by 2 - p
  ["3x3 unpadded, rows of 19 (Winograd: padded columns even and odd)", { n: 1, c: 2, h: 6, w: 19, co: 3, k: 3, s: 1, p: 0, g: 1 }],
  ["3x3, pad 2, rows of 18 (Winograd: padded columns even and odd)", { n: 1, c: 2, h: 5, w: 18, co: 3, k: 3, s: 1, p: 2, g: 1 }],
  ["3x3, pad 1, rows of 3 (Winograd: rows placed a column at a time)", { n: 2, c: 2, h: 4, w: 3, co: 3, k: 3, s: 1, p: 1, g: 1 }],
  ["3x3, pad 1, rows of 5 (Winograd: rows placed four columns at a time)", { n: 1, c: 2, h: 3, w: 5, co: 3, k: 3, s: 1, p: 1, g: 1 }],
  ["8 output channels, 81 pixels (accumulated over the batch)", { n: 2, c: 3, h: 9, w: 9, co: 8, k: 3, s: 1, p: 1, g: 1 }],
  ["depthwise 3x3 (direct path)", { n: 2, c: 3, h: 6, w: 7, co: 3, k: 3, s: 1, p: 1, g: 3 }],
  ["depthwise 5x5 stride 2", { n: 1, c: 2, h: 9, w: 7, co: 2, k: 5, s: 2, p: 2, g: 2 }],
  ["depthwise 7x7", { n: 1, c: 2, h: 8, w: 9, co: 2, k: 7, s: 1, p: 3, g: 2 }],
  ["depthwise with channel multiplier 2 (grouped path)", { n: 1, c: 2, h: 5, w: 5, co: 4, k: 3, s: 1, p: 1, g: 2 }],
  ["filter gradient summed over 800 pixels (split-K on webgpu)", { n: 2, c: 2, h: 20, w: 20, co: 3, k: 3, s: 1, p: 1, g: 1 }],
  // 37 images: 12 runs of 3 images and one of 1 in the CPU filter gradient, each run summed apart
  ["filter gradient over runs of images, 1x1", { n: 37, c: 4, h: 3, w: 2, co: 6, k: 1, s: 1, p: 0, g: 1 }],
  ["filter gradient over runs of images, 3x3 stride 2", { n: 37, c: 3, h: 4, w: 5, co: 5, k: 3, s: 2, p: 1, g: 1 }],
  ["filter gradient over runs of images, groups 2", { n: 37, c: 4, h: 3, w: 3, co: 6, k: 3, s: 1, p: 1, g: 2 }],
];

function run(cs: Case, grad = true): Promise<void> {
  return checkOp({
    name: `conv2d ${JSON.stringify(cs)}`,
    inputs: [{ shape: [cs.n, cs.c, cs.h, cs.w] }, { shape: [cs.co, cs.c / cs.g, cs.k, cs.k] }],
    run: ([x, w]) => conv2d(x!, w!, { stride: cs.s, padding: cs.p, groups: cs.g }),
    ref: ([x, w]) => ref.conv2d(x!, w!, [cs.s, cs.s], [cs.p, cs.p], cs.g),
    noGrad: !grad,
  });
}

conformance("conv2d", [...CPU_THREADS, ...CPU_CONV_FORCED, WEBGPU, WEBGPU_IMPLICIT_TILED, WEBGPU_IMPLICIT_DIRECT], () => {
  for (const [name, cs] of cases) it(`${name}: forward and gradients`, () => run(cs));

  it("matches the reference on sizes that do not fit the tiles (1, 3, 17, 65 channels and pixels)", async () => {
    await run({ n: 1, c: 1, h: 1, w: 1, co: 1, k: 1, s: 1, p: 0, g: 1 }, false);
    await run({ n: 1, c: 17, h: 3, w: 17, co: 65, k: 3, s: 1, p: 1, g: 1 }, false);
    await run({ n: 1, c: 3, h: 17, w: 13, co: 17, k: 3, s: 2, p: 1, g: 1 }, false);
    await run({ n: 1, c: 65, h: 3, w: 3, co: 3, k: 1, s: 1, p: 0, g: 1 }, false);
    await run({ n: 4, c: 8, h: 8, w: 8, co: 64, k: 1, s: 1, p: 0, g: 1 }, false); // big enough for tiles: vec4 loads on webgpu
    await run({ n: 2, c: 17, h: 17, w: 5, co: 17, k: 5, s: 1, p: 2, g: 17 }, false);
    await run({ n: 1, c: 3, h: 129, w: 3, co: 3, k: 7, s: 1, p: 3, g: 3 }, false);
  });

  it("rejects mismatched channels and groups with both shapes in the message", async () => {
    assert.throws(() => conv2d(zeros([1, 3, 5, 5]), zeros([4, 2, 3, 3])), /Conv2D: expected weights of shape \[4, 3, kh, kw\].*received \[4, 2, 3, 3\]/);
    assert.throws(() => conv2d(zeros([1, 3, 5, 5]), zeros([4, 1, 3, 3]), { groups: 2 }), /Conv2D: expected groups dividing both channel counts/);
    assert.throws(() => conv2d(zeros([3, 5, 5]), zeros([4, 3, 3, 3])), /Conv2D: expected input of rank 4 \(NCHW\), received \[3, 5, 5\]/);
    assert.throws(() => conv2d(zeros([1, 3, 2, 2]), zeros([4, 3, 3, 3])), /Conv2D: expected a 3x3 kernel that fits/);
  });
});
