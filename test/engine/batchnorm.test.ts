import assert from "node:assert/strict";
import { it } from "node:test";
import { Rng, ones, randn, tensor, zeros } from "../../engine/index.js";
import * as ag from "../../autograd/index.js";
import { CPU, WEBGPU, conformance } from "../helpers/backends.js";
import { checkOp } from "../helpers/check_op.js";
import * as ref from "../helpers/ref.js";

conformance("batch normalisation", [CPU, WEBGPU], () => {
  for (const affine of [true, false]) {
    it(`batch statistics (training / the paper's path evaluation), affine=${affine}`, () => checkOp({
      name: "batchNorm batch stats",
      inputs: affine ? [{ shape: [4, 3, 3, 2] }, { shape: [3] }, { shape: [3] }] : [{ shape: [4, 3, 3, 2] }],
      run: ([x, g, b]) => ag.batchNorm(x!, { mode: "batch-stats", gamma: g, beta: b }),
      ref: ([x, g, b]) => ref.batchNorm(x!, g ?? null, b ?? null, 1e-5),
      rtol: 1e-3,
    }));

    it(`running statistics (evaluation), affine=${affine}`, async () => {
      const mean = [0.1, -0.2, 0.3], variance = [0.5, 1.5, 2];
      await checkOp({
        name: "batchNorm eval",
        inputs: affine ? [{ shape: [2, 3, 4, 3] }, { shape: [3] }, { shape: [3] }] : [{ shape: [2, 3, 4, 3] }],
        run: ([x, g, b]) => ag.batchNorm(x!, { mode: "eval", gamma: g, beta: b, runningMean: tensor(mean), runningVar: tensor(variance) }),
        ref: ([x, g, b]) => ref.batchNorm(x!, g ?? null, b ?? null, 1e-5, { mean: ref.arr([3], mean), var: ref.arr([3], variance) }),
      });
    });
  }

  it("on [N, C] inputs (1-d batch norm)", () => checkOp({
    name: "batchNorm 2d input",
    inputs: [{ shape: [5, 4] }, { shape: [4] }, { shape: [4] }],
    run: ([x, g, b]) => ag.batchNorm(x!, { mode: "batch-stats", gamma: g, beta: b }),
    ref: ([x, g, b]) => ref.batchNorm(x!, g!, b!, 1e-5),
    rtol: 1e-3,
  }));

  it("training updates the running averages with momentum, keeping the unbiased variance as PyTorch", async () => {
    {
      const x = tensor([1, 2, 3, 4, 10, 20, 30, 40], [2, 2, 2, 1]);
      // channel 0: 1, 2, 10, 20; channel 1: 3, 4, 30, 40
      const rm = zeros([2]), rv = ones([2]);
      ag.batchNorm(x, { mode: "train", runningMean: rm, runningVar: rv, momentum: 0.1 });
      const m0 = (1 + 2 + 10 + 20) / 4, m1 = (3 + 4 + 30 + 40) / 4;
      const uv = (vals: number[], m: number) => vals.reduce((s, v) => s + (v - m) ** 2, 0) / 3;
      const got = [...await rm.data(), ...await rv.data()];
      const want = [0.1 * m0, 0.1 * m1, 0.9 + 0.1 * uv([1, 2, 10, 20], m0), 0.9 + 0.1 * uv([3, 4, 30, 40], m1)];
      got.forEach((v, i) => assert.ok(Math.abs(v - want[i]!) < 1e-4, `running stat ${i}: ${v} vs ${want[i]}`));
      // batch-stats mode leaves them alone
      ag.batchNorm(x, { mode: "batch-stats", runningMean: rm, runningVar: rv });
      assert.deepEqual([...await rm.data(), ...await rv.data()], got);
      for (const t of [x, rm, rv]) t.dispose();
    }
  });

  it("rejects half an affine pair, eval without statistics, and wrong vector sizes", async () => {
    const x = randn([2, 3, 2, 2], new Rng(0));
    assert.throws(() => ag.batchNorm(x, { mode: "batch-stats", gamma: ones([3]) }), /BatchNorm: expected gamma and beta together/);
    assert.throws(() => ag.batchNorm(x, { mode: "eval" }), /BatchNorm: expected running mean and variance in eval mode/);
    assert.throws(() => ag.batchNorm(x, { mode: "batch-stats", gamma: ones([4]), beta: zeros([4]) }), /BatchNorm: expected per-channel vectors of shape \[3\], received \[4\]/);
  });
});
