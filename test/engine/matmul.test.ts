import assert from "node:assert/strict";
import { it } from "node:test";
import { tensor, zeros } from "../../engine/index.js";
import { matmul } from "../../autograd/index.js";
import { CPU_THREADS, WEBGPU_DIRECT, WEBGPU_TILED, conformance } from "../helpers/backends.js";
import { checkOp } from "../helpers/check_op.js";
import * as ref from "../helpers/ref.js";

const sizes = [1, 3, 17, 65, 129];

conformance("matmul", [...CPU_THREADS, WEBGPU_TILED, WEBGPU_DIRECT], () => {
  it("matches the reference loop on sizes that do not fit the 6x8 tiles", async () => {
    for (const m of sizes) for (const n of [1, 17, 129]) for (const k of [3, 65]) {
      await checkOp({
        name: `matmul ${m}x${k} * ${k}x${n}`,
        inputs: [{ shape: [m, k] }, { shape: [k, n] }],
        run: ([a, b]) => matmul(a!, b!),
        ref: ([a, b]) => ref.matmul(a!, b!, false, false),
        noGrad: true,
      });
    }
  });

  it("aligned shapes: K and N multiples of 4 (vec4 loads on webgpu's tiled path), batched and not", async () => {
    await checkOp({
      name: "matmul 64x128 * 128x96",
      inputs: [{ shape: [64, 128] }, { shape: [128, 96] }],
      run: ([a, b]) => matmul(a!, b!),
      ref: ([a, b]) => ref.matmul(a!, b!, false, false),
      noGrad: true,
    });
    await checkOp({
      name: "batched aligned",
      inputs: [{ shape: [2, 8, 4] }, { shape: [4, 12] }],
      run: ([a, b]) => matmul(a!, b!),
      ref: ([a, b]) => ref.matmul(a!, b!, false, false),
    });
  });

  it("covers K beyond one 256-deep packed block", async () => {
    await checkOp({
      name: "matmul 17x300 * 300x9",
      inputs: [{ shape: [17, 300] }, { shape: [300, 9] }],
      run: ([a, b]) => matmul(a!, b!),
      ref: ([a, b]) => ref.matmul(a!, b!, false, false),
      noGrad: true,
    });
  });

  for (const [tA, tB] of [[false, false], [true, false], [false, true], [true, true]] as const) {
    it(`gradient with transposeA=${tA}, transposeB=${tB} on non-square operands`, async () => {
      const [m, k, n] = [5, 3, 4];
      await checkOp({
        name: `matmul tA=${tA} tB=${tB}`,
        inputs: [{ shape: tA ? [k, m] : [m, k] }, { shape: tB ? [n, k] : [k, n] }],
        run: ([a, b]) => matmul(a!, b!, { transposeA: tA, transposeB: tB }),
        ref: ([a, b]) => ref.matmul(a!, b!, tA, tB),
      });
    });
  }

  it("batched, and batched against an unbatched operand (gradient summed over the batch)", async () => {
    await checkOp({
      name: "batched matmul",
      inputs: [{ shape: [3, 4, 5] }, { shape: [3, 5, 2] }],
      run: ([a, b]) => matmul(a!, b!),
      ref: ([a, b]) => ref.matmul(a!, b!, false, false),
    });
    await checkOp({
      name: "batched x unbatched",
      inputs: [{ shape: [2, 4, 5] }, { shape: [5, 3] }],
      run: ([a, b]) => matmul(a!, b!),
      ref: ([a, b]) => ref.matmul(a!, b!, false, false),
    });
  });

  it("rejects inner dimensions that disagree, naming the op and both shapes", async () => {
    assert.throws(() => matmul(zeros([2, 3]), zeros([4, 5])), /MatMul: expected inner dimensions that agree.*received \[2, 3\] and \[4, 5\]/);
    assert.throws(() => matmul(zeros([2, 3]), tensor([1, 2, 3], [3, 1], "int32")), /MatMul: expected float32 operands, received float32 and int32/);
  });
});
