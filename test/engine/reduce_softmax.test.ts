import assert from "node:assert/strict";
import { it } from "node:test";
import { tensor, zeros } from "../../engine/index.js";
import * as ag from "../../autograd/index.js";
import { CPU, WEBGPU, conformance } from "../helpers/backends.js";
import { checkOp } from "../helpers/check_op.js";
import * as ref from "../helpers/ref.js";

conformance("reductions", [CPU, WEBGPU], () => {
  const cases: [number[], number[], boolean][] = [
    [[3, 4], [0], false], [[3, 4], [1], true], [[2, 3, 4, 5], [0, 2, 3], true], [[2, 3, 4], [0, 1, 2], false], [[17, 3, 65], [1], false],
    // several tasks (forward only: finite differences over this many inputs take minutes): rows summed with
    // an outer axis summed too, rows kept, and one output per task
    [[64, 8, 9, 9], [0, 2, 3], false], [[40, 700], [0], true], [[3, 70000], [1], false],
  ];
  for (const [shape, axes, keepDims] of cases) {
    const noGrad = shape.reduce((p, d) => p * d, 1) > 10000;
    it(`sum and mean of ${JSON.stringify(shape)} over ${JSON.stringify(axes)}, keepDims=${keepDims}`, async () => {
      await checkOp({ name: "sum", inputs: [{ shape }], noGrad, run: ([x]) => ag.sum(x!, axes, keepDims), ref: ([x]) => ref.reduce(x!, axes, "sum", keepDims) });
      await checkOp({ name: "mean", inputs: [{ shape }], noGrad, run: ([x]) => ag.mean(x!, axes, keepDims), ref: ([x]) => ref.reduce(x!, axes, "mean", keepDims) });
    });
  }

  it("negative axes count from the end; bad axes are named", async () => {
    assert.deepEqual([...ag.sum(zeros([2, 3, 4]), [-1]).shape], [2, 3]);
    assert.throws(() => ag.sum(zeros([2, 3]), [2]), /Sum: expected axes in \[-2, 2\), received \[2\]/);
  });

  it("sum and mean accumulate in float64: along a row, across rows, and row by row", async () => {
    // float32 running sums give 1 here: 1e8 + 1 rounds back to 1e8
    const v = [1e8, 1, -1e8, 1];
    assert.deepEqual([...await ag.sum(tensor(v, [1, 4]), [1]).data()], [2]);
    // columns summed down the rows, each output on its own
    assert.deepEqual([...await ag.sum(tensor(v.flatMap((a) => [a, a]), [4, 2]), [0]).data()], [2, 2]);
    // rows summed, then the row sums added: [1e8, 1] then [-1e8, 1] for each middle index
    assert.deepEqual([...await ag.mean(tensor([1e8, 1, 1e8, 1, -1e8, 1, -1e8, 1], [2, 2, 2]), [0, 2]).data()], [0.5, 0.5]);
  });

  it("sum of an empty axis is 0, its mean NaN", async () => {
    assert.deepEqual([...await ag.sum(zeros([2, 0]), [1]).data()], [0, 0]);
    assert.ok(Number.isNaN((await ag.mean(zeros([2, 0]), [1]).data())[0]));
  });

  it("broadcastTo int32 labels across several tasks", async () => {
    const out = await ag.broadcastTo(tensor([7, -3], [2, 1], "int32"), [2, 20000]).data();
    assert.ok(out instanceof Int32Array);
    assert.deepEqual([out[0], out[19999], out[20000], out[39999]], [7, 7, -3, -3]);
  });

  it("broadcastTo over several tasks", () => checkOp({
    name: "broadcastTo",
    inputs: [{ shape: [64, 8, 1, 1] }],
    noGrad: true,
    run: ([x]) => ag.broadcastTo(x!, [64, 8, 9, 9]),
    ref: ([x]) => ref.binary(x!, ref.arr([64, 8, 9, 9]), (a) => a),
  }));

  it("broadcastTo", () => checkOp({
    name: "broadcastTo",
    inputs: [{ shape: [3, 1] }],
    run: ([x]) => ag.broadcastTo(x!, [2, 3, 4]),
    ref: ([x]) => ref.binary(x!, ref.arr([2, 3, 4]), (a) => a),
  }));

  it("argMax picks the first maximum", async () => {
    const t = tensor([1, 5, 5, 2, 9, 0], [2, 3]);
    assert.deepEqual([...await ag.argMax(t).data()], [1, 1]);
    assert.deepEqual([...await ag.argMax(t, 0).data()], [1, 1, 0]);
  });
});

conformance("softmax and cross-entropy", [CPU, WEBGPU], (v) => {
  it("logSoftmax over the last axis", () => checkOp({
    name: "logSoftmax",
    inputs: [{ shape: [4, 7], gen: (r) => 4 * r.normal() }],
    run: ([x]) => ag.logSoftmax(x!),
    ref: ([x]) => ref.logSoftmax(x!),
  }));

  for (const eps of [0, 0.1]) {
    it(`crossEntropy with label smoothing ${eps}`, async () => {
      const labels = [2, 0, 9, 4, 4];
      await checkOp({
        name: "crossEntropy",
        inputs: [{ shape: [5, 10], gen: (r) => 3 * r.normal() }],
        run: ([x]) => ag.crossEntropy(x!, tensor(labels, [5], "int32"), { labelSmoothing: eps }),
        ref: ([x]) => ref.crossEntropy(x!, labels, eps),
      });
    });
  }

  it("crossEntropy rejects bad labels with the expected shape", async () => {
    assert.throws(() => ag.crossEntropy(zeros([2, 3]), tensor([0, 1, 2], [3], "int32")), /SoftmaxCrossEntropy: expected int32 labels of shape \[2\], received int32 \[3\]/);
    assert.throws(() => ag.crossEntropy(zeros([2, 3]), tensor([0, 1], [2])), /expected int32 labels/);
    const outOfRange = () => ag.crossEntropy(zeros([2, 3]), tensor([0, 3], [2], "int32"));
    // the CPU checks each label; a GPU cannot raise, and the loss it returns is NaN
    if (v.backend === "cpu") assert.throws(outOfRange, /expected labels in \[0, 3\), received 3 at row 1/);
    else assert.ok(Number.isNaN((await outOfRange().data())[0]));
  });
});
