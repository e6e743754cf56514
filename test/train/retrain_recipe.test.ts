import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CPU, WEBGPU, conformance } from "../helpers/backends.js";
import { Rng, tensor, type Tensor } from "../../engine/index.js";
import { BatchNorm2d, Linear } from "../../autograd/nn/layers.js";
import { Module } from "../../autograd/nn/module.js";
import { flatten } from "../../autograd/index.js";
import { RMSprop } from "../../autograd/optim/rmsprop.js";
import { WeightAverage } from "../../autograd/optim/ema.js";
import { stepDecayLr } from "../../autograd/optim/schedule.js";
import { trainClassifier } from "../../train/fit.js";
import type { ImageDataset } from "../../data/dataset.js";

const data = async (t: Tensor) => [...await t.data()];
const near = (a: number[], b: number[], tol = 1e-6) => a.forEach((v, i) => assert.ok(Math.abs(v - b[i]!) <= tol * (1 + Math.abs(b[i]!)), `${v} vs ${b[i]} at ${i}`));
function setGrad(p: Tensor, g: number[]): void {
  p.grad?.dispose();
  p.grad = tensor(g, [...p.shape]);
}

conformance("RMSprop", [CPU, WEBGPU], () => {
  it("matches torch.optim.RMSprop with momentum and weight decay over three steps with a changing learning rate", async () => {
    const p = tensor([1, -2, 0.5]);
    p.requiresGrad = true;
    const opt = new RMSprop([p], { lr: 0.01, alpha: 0.9, eps: 1e-3, momentum: 0.9, weightDecay: 0.1 });
    // torch.optim.RMSprop(lr=..., alpha=0.9, eps=1e-3, momentum=0.9, weight_decay=0.1) in float64, lr set before each step
    const steps: [number, number[], number[]][] = PYTORCH_RMSPROP_MOMENTUM;
    for (const [lr, g, expected] of steps) {
      opt.lr = lr;
      setGrad(p, g);
      opt.step();
      near(await data(p), expected, 1e-5);
    }
  });

  it("matches torch.optim.RMSprop without momentum (PyTorch's defaults alpha 0.99, eps 1e-8)", async () => {
    const p = tensor([1, -2, 0.5]);
    p.requiresGrad = true;
    const opt = new RMSprop([p], { lr: 0.01 });
    for (const [g, expected] of PYTORCH_RMSPROP_PLAIN) {
      setGrad(p, g);
      opt.step();
      near(await data(p), expected, 1e-5);
    }
  });
});

describe("RMSprop's bad options", () => {
  it("refuses alpha, momentum and eps out of range with one line", () => {
    assert.throws(() => new RMSprop([], { lr: 0.1, alpha: 1 }), /RMSprop: expected alpha in \[0, 1\), received 1/);
    assert.throws(() => new RMSprop([], { lr: 0.1, momentum: -0.1 }), /expected momentum in \[0, 1\)/);
    assert.throws(() => new RMSprop([], { lr: 0.1, eps: 0 }), /expected eps > 0/);
  });
});

describe("the weight average (EMA)", () => {
  it("averages parameters and BN running statistics with decay min(decay, (1 + t) / (10 + t))", async () => {
    const bn = new BatchNorm2d(2);
    const avg = new WeightAverage(bn, 0.8);
    const tensors = [...bn.stateDict().values()];
    const ref = tensors.map((t) => [...t.dataSync()]);
    const rows = [[3, -1], [0.5, 2], [-4, 4]];
    for (let t = 1; t <= 3; t++) {
      const d = Math.min(0.8, (1 + t) / (10 + t)); // 0.1818, 0.25, 0.3077: the rule, not the decay, at first
      const values = tensors.map((_, i) => rows[t - 1]!.map((x) => x + i));
      bn.loadStateDict(new Map([...bn.stateDict().keys()].map((n, i) => [n, tensor(values[i]!, [2])])));
      values.forEach((v, i) => { ref[i] = ref[i]!.map((a, k) => d * a + (1 - d) * v[k]!); });
      assert.ok(Math.abs(avg.nextDecay - d) < 1e-12);
      avg.update();
    }
    avg.copyToModel();
    tensors.forEach((w, i) => near([...w.dataSync()], ref[i]!, 1e-6));
    avg.dispose();
  });

  it("uses the given decay once the rule's value exceeds it", () => {
    const avg = new WeightAverage(new Linear(1, 1, new Rng(0)), 0.5);
    assert.equal(avg.nextDecay, 2 / 11);
    for (let t = 1; t <= 8; t++) avg.update(); // (1 + 9) / (10 + 9) = 0.526 > 0.5
    assert.equal(avg.nextDecay, 0.5);
    assert.throws(() => new WeightAverage(new Linear(1, 1, new Rng(0)), 1), /expected a decay in \[0, 1\), received 1/);
    avg.dispose();
  });

  it("trainClassifier with emaDecay ends holding the average of the weights after each step", async () => {
    class Flat extends Module {
      readonly fc = this.registerModule("fc", new Linear(4, 2, new Rng(1)));
      forward(x: Tensor): Tensor { return this.fc.forward(flatten(x)); }
    }
    const ds: ImageDataset = { name: "tiny", images: new Uint8Array([0, 50, 100, 150, 200, 250, 30, 90, 10, 20, 30, 40]), labels: new Int32Array([0, 1, 1]), count: 3, channels: 1, height: 2, width: 2, classes: 2 };
    const model = new Flat();
    const snapshot = () => [...model.fc.weight.dataSync(), ...model.fc.bias!.dataSync()];
    const seen = [snapshot()];
    await trainClassifier(model, ds, { epochs: 2, batchSize: 2, lr: 0.5, momentum: 0, nesterov: false, weightDecay: 0, emaDecay: 0.9 },
      { mean: [0.5], std: [0.25] }, new Rng(2), () => seen.push(snapshot()));
    assert.equal(seen.length, 5); // the start and 4 steps
    let expected = seen[0]!;
    seen.slice(1).forEach((w, k) => {
      const d = Math.min(0.9, (2 + k) / (11 + k));
      expected = expected.map((a, i) => d * a + (1 - d) * w[i]!);
    });
    near(snapshot(), expected, 1e-6);
    assert.ok(Math.abs(snapshot()[0]! - seen[4]![0]!) > 1e-3, "the final weights are the average, not the last step's");
  });
});

describe("the retraining schedule", () => {
  it("warms up linearly, then decays by the factor every decaySteps counted from step 0", () => {
    const lr = (s: number) => stepDecayLr(0.128, s, { warmupSteps: 4, decaySteps: 3, factor: 0.97 });
    near([0, 1, 2, 3].map(lr), [0.032, 0.064, 0.096, 0.128], 1e-12);
    // step 4, 5: floor(step / 3) = 1; 6-8: 2
    near([4, 5, 6, 8, 9].map(lr), [0.128 * 0.97, 0.128 * 0.97, 0.128 * 0.97 ** 2, 0.128 * 0.97 ** 2, 0.128 * 0.97 ** 3], 1e-12);
    assert.equal(stepDecayLr(1, 5, { decaySteps: 2, factor: 0.5 }), 0.25);
  });
});

// printed by torch 1.13 (float64): p after each step
const PYTORCH_RMSPROP_MOMENTUM: [number, number[], number[]][] = [
  [0.01, [0.5, 0.25, -1], [0.968543016, -2.029741744, 0.531517863]],
  [0.02, [-0.5, 1, 0], [0.948309797, -2.146161666, 0.584539532]],
  [0.03, [0.1, -0.2, 2], [0.894322333, -2.257943754, 0.568653906]],
];
const PYTORCH_RMSPROP_PLAIN: [number[], number[]][] = [
  [[0.5, 0.25, -1], [0.90000002, -2.09999996, 0.59999999]],
  [[-0.5, 1, 0], [0.97088813, -2.197042747, 0.59999999]],
];
