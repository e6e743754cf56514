import assert from "node:assert/strict";
import { it } from "node:test";
import { engine, full, kernels as K } from "../../engine/index.js";
import { avgPool2d, globalAvgPool, maxPool2d } from "../../autograd/index.js";
import { CPU, WEBGPU, conformance } from "../helpers/backends.js";
import { checkOp } from "../helpers/check_op.js";
import * as ref from "../helpers/ref.js";

conformance("pooling", [CPU, WEBGPU], () => {
  for (const countIncludePad of [true, false]) {
    it(`avgPool2d 3x3 stride 1 pad 1, countIncludePad=${countIncludePad}`, () => checkOp({
      name: "avgPool2d",
      inputs: [{ shape: [2, 3, 5, 6] }],
      run: ([x]) => avgPool2d(x!, 3, { stride: 1, padding: 1, countIncludePad }),
      ref: ([x]) => ref.pool(x!, "avg", [3, 3], [1, 1], [1, 1], countIncludePad),
    }));
  }

  for (const [k, pad, countIncludePad] of [[5, 1, false], [2, 0, true], [3, 0, false], [5, 2, true]] as const) {
    it(`avgPool2d ${k}x${k} stride 1 pad ${pad}, countIncludePad=${countIncludePad} (box sums with windows off centre)`, () => checkOp({
      name: "avgPool2d stride 1",
      inputs: [{ shape: [2, 2, 6, 11] }],
      run: ([x]) => avgPool2d(x!, k, { stride: 1, padding: pad, countIncludePad }),
      ref: ([x]) => ref.pool(x!, "avg", [k, k], [1, 1], [pad, pad], countIncludePad),
    }));
  }

  // the CPU's 2x2 windows take four outputs at a time: rows of 2, 9 (two blocks and one left) and 12 outputs
  for (const shape of [[1, 2, 7, 5], [2, 3, 12, 18], [1, 2, 9, 19], [1, 1, 4, 24]]) {
    it(`avgPool2d 2x2 stride 2 on ${shape.join("x")}${shape[2]! % 2 || shape[3]! % 2 ? " (a row or column outside every window)" : ""}`, () => checkOp({
      name: "avgPool2d 2x2",
      inputs: [{ shape }],
      run: ([x]) => avgPool2d(x!, 2),
      ref: ([x]) => ref.pool(x!, "avg", [2, 2], [2, 2], [0, 0], true),
    }));
  }

  it("the gradient of 2x2 pooling is 0 on the row and column outside every window, whatever the freed memory held", async () => {
    const xShape = [3, 2, 9, 19];
    const attrs: K.PoolGradAttrs = { kernel: [2, 2], stride: [2, 2], pad: [0, 0], xShape };
    const dy = full([3, 2, 4, 9], 1);
    try {
      for (let i = 0; i < 3; i++) {
        full(xShape, Number.NaN).dispose(); // dx is likely to reuse this block
        const dx = engine.runKernel(K.AvgPoolGrad, [dy], attrs)[0]!;
        const v = await dx.data();
        dx.dispose();
        for (let p = 0; p < 6; p++) for (let y = 0; y < 9; y++) for (let x = 0; x < 19; x++) {
          assert.equal(v[(p * 9 + y) * 19 + x], y < 8 && x < 18 ? 0.25 : 0, `plane ${p}, row ${y}, column ${x}`);
        }
      }
    } finally {
      dy.dispose();
    }
  });

  it("avgPool2d 3x3 stride 2 pad 1, padding counted or not (windows that overlap)", async () => {
    for (const countIncludePad of [false, true]) {
      await checkOp({
        name: `avgPool2d 3x3 stride 2, countIncludePad=${countIncludePad}`,
        inputs: [{ shape: [2, 2, 7, 6] }],
        run: ([x]) => avgPool2d(x!, 3, { stride: 2, padding: 1, countIncludePad }),
        ref: ([x]) => ref.pool(x!, "avg", [3, 3], [2, 2], [1, 1], countIncludePad),
      });
    }
  });

  it("maxPool2d 3x3 stride 2 pad 1, and 2x2 non-square input", async () => {
    await checkOp({
      name: "maxPool2d 3x3",
      inputs: [{ shape: [2, 2, 7, 6] }],
      run: ([x]) => maxPool2d(x!, 3, { stride: 2, padding: 1 }),
      ref: ([x]) => ref.pool(x!, "max", [3, 3], [2, 2], [1, 1], true),
    });
    await checkOp({
      name: "maxPool2d 2x2",
      inputs: [{ shape: [1, 3, 4, 9] }],
      run: ([x]) => maxPool2d(x!, 2),
      ref: ([x]) => ref.pool(x!, "max", [2, 2], [2, 2], [0, 0], true),
    });
  });

  it("sizes that fit no tiling: 17x65 planes", () => checkOp({
    name: "avgPool2d 17x65",
    inputs: [{ shape: [1, 1, 17, 65] }],
    run: ([x]) => avgPool2d(x!, 3, { stride: 1, padding: 1, countIncludePad: false }),
    ref: ([x]) => ref.pool(x!, "avg", [3, 3], [1, 1], [1, 1], false),
    noGrad: true,
  }));

  it("globalAvgPool", () => checkOp({
    name: "globalAvgPool",
    inputs: [{ shape: [2, 3, 4, 5] }],
    run: ([x]) => globalAvgPool(x!),
    ref: ([x]) => ref.reduce(x!, [2, 3], "mean", false),
  }));
});
