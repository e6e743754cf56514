import assert from "node:assert/strict";
import { it } from "node:test";
import { Rng, engine, kernels as K, ones, randn, tensor, zeros, type Tensor } from "../../engine/index.js";
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

  // Rows of 943 values: the kernels' vector loops and their scalar tails. The
  // values sit at 100 +- 1, where sums that were not centred on the data
  // would lose the digits the variance and the gradient need.
  it("batch statistics of long rows far from zero", () => checkOp({
    name: "batchNorm long rows",
    inputs: [{ shape: [2, 3, 23, 41], gen: (r) => 100 + 2 * r.uniform() - 1 }, { shape: [3] }, { shape: [3] }],
    run: ([x, g, b]) => ag.batchNorm(x!, { mode: "batch-stats", gamma: g, beta: b }),
    ref: ([x, g, b]) => ref.batchNorm(x!, g!, b!, 1e-5),
    rtol: 1e-3,
  }));

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

  for (const activation of ["relu", "relu6"] as const) {
    const clamp = activation === "relu" ? (v: number) => Math.max(v, 0) : (v: number) => Math.min(Math.max(v, 0), 6);
    for (const affine of [true, false]) {
      it(`with a fused ${activation}, batch statistics, affine=${affine}: forward and gradients against BN then ${activation} in float64`, () => checkOp({
        name: `batchNorm + ${activation}`,
        // gamma up to 4 and beta up to 3 push some outputs above 6, so relu6's upper clamp is exercised too
        inputs: affine ? [{ shape: [4, 3, 3, 2] }, { shape: [3], gen: (r) => 1 + 3 * r.uniform() }, { shape: [3], gen: (r) => 3 * r.uniform() - 1 }] : [{ shape: [4, 3, 3, 2] }],
        run: ([x, g, b]) => ag.batchNorm(x!, { mode: "batch-stats", gamma: g, beta: b, activation }),
        ref: ([x, g, b]) => ref.unary(ref.batchNorm(x!, g ?? null, b ?? null, 1e-5), clamp),
        rtol: 1e-3,
      }));
    }

    it(`with a fused ${activation}, running statistics: forward and gradients against BN then ${activation} in float64`, async () => {
      const mean = [0.1, -0.2, 0.3], variance = [0.05, 0.02, 0.1];
      await checkOp({
        name: `batchNorm eval + ${activation}`,
        inputs: [{ shape: [2, 3, 4, 3] }, { shape: [3] }, { shape: [3] }],
        run: ([x, g, b]) => ag.batchNorm(x!, { mode: "eval", gamma: g, beta: b, runningMean: tensor(mean), runningVar: tensor(variance), activation }),
        ref: ([x, g, b]) => ref.unary(ref.batchNorm(x!, g!, b!, 1e-5, { mean: ref.arr([3], mean), var: ref.arr([3], variance) }), clamp),
      });
    });

    it(`with a fused ${activation}: the same bits as BN then ${activation}, forward and every gradient`, async () => {
      const rng = new Rng(11);
      const x = randn([6, 4, 5, 5], rng), gamma = tensor([0.5, 1, 2, 4], [4]), beta = tensor([-1, 0.2, 1, 3], [4]);
      const dy = randn([6, 4, 5, 5], rng);
      const act = activation === "relu" ? ag.relu : ag.relu6;
      const forward = (fused: boolean) => fused ? ag.batchNorm(x, { mode: "batch-stats", gamma, beta, activation }) : act(ag.batchNorm(x, { mode: "batch-stats", gamma, beta }));
      const bits = async (t: Tensor) => [...new Uint32Array(Float32Array.from(await t.data()).buffer)];
      const outputs = async (fused: boolean) => {
        const y = forward(fused);
        const grads = ag.grad(() => ag.sum(ag.mul(forward(fused), dy)), [x, gamma, beta]);
        return { y: await bits(y), values: await y.data(), grads: await Promise.all(grads.map(bits)) };
      };
      const [fused, unfused] = [await outputs(true), await outputs(false)];
      assert.deepEqual(fused.y, unfused.y, "forward");
      ["dx", "dgamma", "dbeta"].forEach((name, i) => assert.deepEqual(fused.grads[i], unfused.grads[i], name));
      assert.ok(fused.values.some((v) => v === 0) && (activation === "relu" || fused.values.some((v) => v === 6)), "the case reaches the activation's clamps");
    });
  }

  it("rejects half an affine pair, eval without statistics, and wrong vector sizes", async () => {
    const x = randn([2, 3, 2, 2], new Rng(0));
    assert.throws(() => ag.batchNorm(x, { mode: "batch-stats", gamma: ones([3]) }), /BatchNorm: expected gamma and beta together/);
    assert.throws(() => ag.batchNorm(x, { mode: "eval" }), /BatchNorm: expected running mean and variance in eval mode/);
    assert.throws(() => ag.batchNorm(x, { mode: "batch-stats", gamma: ones([4]), beta: zeros([4]) }), /BatchNorm: expected per-channel vectors of shape \[3\], received \[4\]/);
    assert.throws(() => ag.batchNorm(x, { mode: "batch-stats", activation: "sigmoid" as "relu" }), /BatchNorm: expected a fused activation 'relu' or 'relu6', received 'sigmoid'/);
    const [y, mean, inv] = engine.runKernel(K.BatchNorm, [x], { eps: 1e-5, batchStats: true, affine: false, activation: "relu" });
    assert.throws(() => engine.runKernel(K.BatchNormGrad, [x, x, mean!, inv!], { eps: 1e-5, batchStats: true, affine: false, activation: "relu" }),
      /BatchNormGrad: expected 5 inputs, received 4/);
    assert.throws(() => engine.runKernel(K.BatchNormGrad, [x, x, mean!, inv!, mean!], { eps: 1e-5, batchStats: true, affine: false, activation: "relu" }),
      /BatchNormGrad: expected y of x's shape \[2, 3, 2, 2\], received \[3\]/);
    y!.dispose();
  });
});

// The CPU kernels sum each row in float32 and the rows in float64: at
// 1000 +- 1, 1700 standard deviations from zero, the mean of two rows of 943
// stays within one float32 ulp of float64's. (WebGPU's statistics, float32
// throughout, are not held to this.)
conformance("batch normalisation of data far from zero", [CPU], () => {
  it("the batch mean within one float32 ulp of float64's, on rows longer than the vector loop", async () => {
    const rng = new Rng(5);
    const [n, c, inner] = [2, 3, 23 * 41];
    const values = Float32Array.from({ length: n * c * inner }, () => 1000 + 2 * rng.uniform() - 1);
    const x = tensor(values, [n, c, 23, 41]);
    const outs = engine.runKernel(K.BatchNorm, [x], { eps: 1e-5, batchStats: true, affine: false });
    const mean = await outs[1]!.data();
    const ulp = 2 ** -13; // float32's spacing between 512 and 1024
    for (let ch = 0; ch < c; ch++) {
      let sum = 0;
      for (let b = 0; b < n; b++) for (let i = 0; i < inner; i++) sum += values[(b * c + ch) * inner + i]!;
      const want = sum / (n * inner);
      assert.ok(Math.abs(mean[ch]! - want) <= ulp, `channel ${ch}: mean ${mean[ch]} against ${want}`);
    }
    for (const t of [x, ...outs]) t.dispose();
  });
});

// The CPU kernel computes each channel's 1 / sqrt(var + eps), scale and shift
// in float64 from the float32 values stored before them, as the float64
// arithmetic of JavaScript below does, and y = x * scale + shift in float32:
// the same bits, on every channel.
conformance("batch normalisation's per-channel affine", [CPU], () => {
  it("invstd, and y = x * scale + shift, are the bits float64 arithmetic on the stored float32 values gives", async () => {
    const rng = new Rng(11);
    const [n, c, inner] = [3, 512, 5];
    const x = randn([n, c, 1, inner], rng, 2, 0.5), gamma = randn([c], rng), beta = randn([c], rng);
    const eps = 1e-3;
    const [y, meanT, invT, varT] = engine.runKernel(K.BatchNorm, [x, gamma, beta], { eps, batchStats: true, affine: true });
    const [xv, g, b, yv, mean, inv, vr] = await Promise.all([x, gamma, beta, y!, meanT!, invT!, varT!].map((t) => t.data()));
    const f = Math.fround;
    for (let ch = 0; ch < c; ch++) {
      const i = f(1 / Math.sqrt(vr![ch]! + eps));
      assert.equal(inv![ch], i, `channel ${ch}: invstd`);
      const scale = f(i * g![ch]!), shift = f(b![ch]! - mean![ch]! * scale);
      for (let k = 0; k < n; k++) for (let e = 0; e < inner; e++) {
        const at = (k * c + ch) * inner + e;
        assert.equal(yv![at], f(f(xv![at]! * scale) + shift), `channel ${ch}, image ${k}, element ${e}`);
      }
    }
    for (const t of [x, gamma, beta, y!, meanT!, invT!, varT!]) t.dispose();
  });
});
