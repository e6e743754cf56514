import { it } from "node:test";
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

  it("avgPool2d 2x2 stride 2 on odd sizes", () => checkOp({
    name: "avgPool2d 2x2",
    inputs: [{ shape: [1, 2, 7, 5] }],
    run: ([x]) => avgPool2d(x!, 2),
    ref: ([x]) => ref.pool(x!, "avg", [2, 2], [2, 2], [0, 0], true),
  }));

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
