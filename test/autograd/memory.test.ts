import assert from "node:assert/strict";
import { it } from "node:test";
import { Rng, engine, memory, randn, tensor, tidy, zeros, type Tensor } from "../../engine/index.js";
import { CPU, WEBGPU, conformance } from "../helpers/backends.js";
import * as ag from "../../autograd/index.js";

type Params = Record<"w1" | "g1" | "b1" | "w2" | "fc", Tensor>;

/** conv-BN-ReLU, conv-ReLU, global pooling, linear, cross-entropy. */
function forward(x: Tensor, y: Tensor, p: Params, rm: Tensor, rv: Tensor): Tensor {
  let h = ag.conv2d(x, p.w1, { padding: 1 });
  h = ag.relu(ag.batchNorm(h, { mode: "train", gamma: p.g1, beta: p.b1, runningMean: rm, runningVar: rv }));
  h = ag.relu(ag.conv2d(h, p.w2, { padding: 1, stride: 2 }));
  return ag.crossEntropy(ag.matmul(ag.globalAvgPool(h), p.fc), y);
}

function sgd(params: Tensor[], lr: number): void {
  ag.noGrad(() => {
    for (const p of params) {
      ag.assign(p, ag.sub(p, ag.mulScalar(p.grad!, lr)));
      p.grad!.dispose();
      p.grad = null;
    }
  });
}

conformance("memory over training steps", [CPU, WEBGPU], (v) => {
  it("stays flat over 200 steps of a small conv net (engine tensors, buffers and bytes)", async () => {
    const rng = new Rng(7);
    const params: Params = {
      w1: randn([8, 1, 3, 3], rng, 0.3), g1: tensor(new Float32Array(8).fill(1)), b1: zeros([8]),
      w2: randn([8, 8, 3, 3], rng, 0.1), fc: randn([8, 10], rng, 0.3),
    };
    const rm = zeros([8]), rv = tensor(new Float32Array(8).fill(1));
    const ps = Object.values(params);
    ps.forEach((p) => { p.requiresGrad = true; });
    const x = randn([16, 1, 12, 12], rng);
    const y = tensor(Int32Array.from({ length: 16 }, () => rng.int(10)), [16], "int32");
    const samples: { step: number; tensors: number; buffers: number; bytes: number; heapMB: number }[] = [];
    let firstLoss = 0, lastLoss = 0;
    for (let step = 1; step <= 200; step++) {
      const l = tidy(() => {
        const l = forward(x, y, params, rm, rv);
        l.backward();
        sgd(ps, 0.05);
        return l;
      });
      const loss = (await l.data())[0]!; // the only read of a step: on the GPU everything else stays there
      l.dispose();
      if (step === 1) firstLoss = loss;
      lastLoss = loss;
      if (step === 10 || step % 50 === 0) {
        samples.push({ step, ...memory(), heapMB: Math.round(process.memoryUsage().heapUsed / 2 ** 20) });
      }
    }
    console.log(`memory per step [${v.name}]:`, JSON.stringify(samples));
    const b = engine.backend as { stats?: () => unknown };
    if (b.stats) console.log(`GPU statistics after 200 steps [${v.name}]:`, JSON.stringify(b.stats()));
    const ref = samples[0]!;
    for (const s of samples) {
      assert.equal(s.tensors, ref.tensors, `live tensors at step ${s.step}`);
      assert.equal(s.buffers, ref.buffers, `buffers at step ${s.step}`);
      assert.equal(s.bytes, ref.bytes, `bytes at step ${s.step}`);
    }
    assert.ok(lastLoss < firstLoss, `training moved the loss: ${firstLoss} -> ${lastLoss}`);
    ps.forEach((p: Tensor) => { p.grad?.dispose(); p.dispose(); });
    for (const t of [rm, rv, x, y]) t.dispose();
  });
});
