import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CPU, WEBGPU, conformance } from "../helpers/backends.js";
import { Rng, fromSharedView, tensor, type Tensor } from "../../engine/index.js";
import { splitEveryCall } from "../helpers/split_team.js";
import { mulScalar, sum } from "../../autograd/index.js";
import { Adam, AdamW } from "../../autograd/optim/adam.js";
import { SGD } from "../../autograd/optim/sgd.js";
import { movingAverage } from "../../autograd/ops/optim.js";
import { cosineLr } from "../../autograd/optim/schedule.js";
import { near, vals } from "../helpers/near.js";

const data = async (t: Tensor) => [...await t.data()];

/** Sets p.grad to g (as a backward of sum(g * p) would). */
function setGrad(p: Tensor, g: number[]): void {
  p.grad?.dispose();
  p.grad = tensor(g, [...p.shape]);
}

conformance("SGD", [CPU, WEBGPU], (v) => {
  it("matches torch.optim.SGD with momentum, Nesterov and weight decay over two steps", async () => {
    const p = tensor([1, -2]);
    p.requiresGrad = true;
    const opt = new SGD([p], { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.01 });
    // hand computation of PyTorch's update rule
    let w = [1, -2], buf = [0, 0];
    for (const [step, g] of [[0, [0.5, 0.25]], [1, [-0.5, 1]]] as const) {
      setGrad(p, [...g]);
      opt.step();
      const d = g.map((x, i) => x + 0.01 * w[i]!);
      buf = step === 0 ? d : buf.map((b, i) => 0.9 * b + d[i]!);
      const upd = d.map((x, i) => x + 0.9 * buf[i]!);
      w = w.map((x, i) => x - 0.1 * upd[i]!);
      near(await data(p), w, 1e-6);
    }
  });

  it("plain momentum (no Nesterov) uses the buffer as the step", async () => {
    const p = tensor([0]);
    const opt = new SGD([p], { lr: 1, momentum: 0.5 });
    setGrad(p, [1]); opt.step();   // buf 1 -> p -1
    setGrad(p, [1]); opt.step();   // buf 1.5 -> p -2.5
    near(await data(p), [-2.5], 1e-6);
  });

  it("leaves a parameter without a gradient untouched: no weight decay, no momentum drift", async () => {
    const a = tensor([1]), b = tensor([1]);
    const opt = new SGD([a, b], { lr: 0.1, momentum: 0.9, weightDecay: 0.1 });
    setGrad(a, [1]); setGrad(b, [1]);
    opt.step();
    const bAfterFirst = await data(b);
    opt.zeroGrad();
    setGrad(a, [1]);          // b gets no gradient this step
    opt.step();
    assert.deepEqual(await data(b), bAfterFirst);
    assert.equal(b.grad, null);
  });

  it("rejects Nesterov without momentum and a negative learning rate", () => {
    assert.throws(() => new SGD([], { lr: 0.1, nesterov: true }), /Nesterov momentum needs momentum > 0/);
    assert.throws(() => new SGD([], { lr: -1 }), /expected a learning rate >= 0, received -1/);
    assert.equal(new SGD([], { lr: 0 }).lr, 0, "a rate of 0 (a schedule's end) is fine");
  });

  it("steps from real gradients computed by backward", async () => {
    const p = tensor([3]);
    p.requiresGrad = true;
    const opt = new SGD([p], { lr: 0.1 });
    sum(mulScalar(p, 2)).backward();
    opt.step();
    near(await data(p), [2.8], 1e-6);
  });
  it("the fused step equals the rule written as float32 element-wise ops, over three steps", async () => {
    for (const nesterov of [false, true]) {
      const init = [0.5, -1.25, 3, 1e-3], grads = [[0.1, -0.2, 0.3, 4], [-1, 0.5, 0, 2], [0.25, 0.25, -3, 1]];
      const p = tensor(init);
      const opt = new SGD([p], { lr: 0.05, momentum: 0.9, nesterov, weightDecay: 5e-4 });
      const f = Math.fround;
      let w = init.map(f), buf: number[] = [];
      for (const [step, g] of grads.entries()) {
        setGrad(p, g);
        opt.step();
        // scalars stay float64 as in mulScalar; each result is rounded to float32
        const d = g.map((x, i) => f(f(x) + f(w[i]! * 5e-4)));
        buf = step === 0 ? d : buf.map((b, i) => f(f(b * 0.9) + d[i]!));
        const upd = nesterov ? d.map((x, i) => f(x + f(buf[i]! * 0.9))) : buf;
        w = w.map((x, i) => f(x - f(upd[i]! * 0.05)));
        // the CPU rounds as the element-wise ops did, bit for bit; a GPU may fuse multiply-adds
        if (v.backend === "cpu") assert.deepEqual(await data(p), w);
        else near(await data(p), w, 1e-6);
      }
    }
  });

  it("rejects a gradient of another shape, naming the op", () => {
    const p = tensor([1, 2]);
    const opt = new SGD([p], { lr: 0.1 });
    setGrad(p, [1, 2]);
    p.grad!.dispose();
    p.grad = tensor([1, 2, 3]);
    assert.throws(() => opt.step(), /SgdUpdate: expected float32 tensors of shape \[2\], received float32 \[3\]/);
  });
});

describe("SGD and the moving average on the CPU's kernel team", () => {
  const n = 150_001; // three tasks of 65,536 and a ragged end
  const rng = new Rng(5);
  const init = Float32Array.from({ length: n }, () => rng.normal()), grads = [0, 1].map(() => Float32Array.from({ length: n }, () => rng.normal()));
  const f = Math.fround;
  /** The rule over two steps in plain float32-rounded arithmetic. */
  function reference(): Float32Array {
    const w = Float32Array.from(init), buf = new Float32Array(n);
    grads.forEach((g, step) => {
      for (let i = 0; i < n; i++) {
        const d = f(g[i]! + f(w[i]! * 5e-4));
        buf[i] = step === 0 ? d : f(f(buf[i]! * 0.9) + d);
        w[i] = f(w[i]! - f(f(d + f(buf[i]! * 0.9)) * 0.05));
      }
    });
    return w;
  }
  const want = reference();

  for (const threads of [1, 2, 3]) {
    it(`SGD on ${n} parameters with ${threads} thread(s): the rule's bits`, () => {
      const restore = splitEveryCall(threads);
      try {
        const p = tensor(Float32Array.from(init), [n]);
        const opt = new SGD([p], { lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 5e-4 });
        for (const g of grads) {
          p.grad?.dispose();
          p.grad = tensor(Float32Array.from(g), [n]);
          opt.step();
        }
        assert.deepEqual(p.dataSync(), want);
      } finally {
        restore();
      }
    });
  }

  it("SGD updates a parameter held in another thread's memory (borrowed storage) in place", () => {
    const view = new Float32Array(new SharedArrayBuffer(4 * n));
    view.set(init);
    const p = fromSharedView(view, [n]);
    const opt = new SGD([p], { lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 5e-4 });
    for (const g of grads) {
      p.grad?.dispose();
      p.grad = tensor(Float32Array.from(g), [n]);
      opt.step();
    }
    assert.deepEqual(view, want);
  });

  it(`the moving average over ${n} values with 2 threads: the rule's bits`, () => {
    const restore = splitEveryCall(2);
    try {
      const t = tensor(Float32Array.from(init), [n]);
      movingAverage([{ target: t, value: tensor(grads[0]!, [n]), scale: 4 / 3 }], 0.1);
      const expected = init.map((x, i) => f(f(x * 0.9) + f(f(grads[0]![i]! * (4 / 3)) * 0.1)));
      assert.deepEqual(t.dataSync(), expected);
    } finally {
      restore();
    }
  });
});

conformance("moving average (batch norm's running statistics)", [CPU, WEBGPU], (v) => {
  it("equals (1 - m) target + m (scale value) rounded as the element-wise ops it replaced", async () => {
    const init = [1, -2, 3.3, 1e-4], value = [0.7, 5, -1.1, 2e-3];
    const t = tensor(init);
    movingAverage([{ target: t, value: tensor(value), scale: 4 / 3 }], 0.1);
    const f = Math.fround;
    const want = init.map((x, i) => f(f(f(x) * 0.9) + f(f(f(value[i]!) * (4 / 3)) * 0.1)));
    if (v.backend === "cpu") assert.deepEqual(await data(t), want);
    else near(await data(t), want, 1e-6);
    assert.throws(() => movingAverage([{ target: t, value: tensor([1, 2]) }], 0.1), /MovingAverage: expected float32 tensors of shape \[4\], received float32 \[2\]/);
  });
});

describe("Adam and AdamW", () => {
  it("matches the bias-corrected Adam update over two steps", () => {
    const p = tensor([1]);
    const opt = new Adam([p], { lr: 0.01 });
    let w = 1, m = 0, v = 0;
    for (const [t, g] of [[1, 0.3], [2, -0.1]] as const) {
      setGrad(p, [g]);
      opt.step();
      m = 0.9 * m + 0.1 * g;
      v = 0.999 * v + 0.001 * g * g;
      w -= (0.01 * (m / (1 - 0.9 ** t))) / (Math.sqrt(v / (1 - 0.999 ** t)) + 1e-8);
      near(vals(p), [w], 1e-6);
    }
  });

  it("AdamW decays the weights apart from the gradient", () => {
    const p = tensor([2]);
    const opt = new AdamW([p], { lr: 0.1, weightDecay: 0.5 });
    setGrad(p, [0.2]);
    opt.step();
    // p * (1 - lr * wd), then the first Adam step moves by lr * sign(g)
    near(vals(p), [2 * (1 - 0.05) - 0.1], 1e-5);
  });
});

describe("learning-rate schedules", () => {
  it("cosine per step from the base rate to 0, as CosineAnnealingLR(T_max = total)", () => {
    assert.equal(cosineLr(0.05, 0, 100), 0.05);
    near([cosineLr(0.05, 50, 100)], [0.025], 1e-6);
    near([cosineLr(0.05, 100, 100)], [0], 1e-6);
    near([cosineLr(0.05, 25, 100)], [0.025 * (1 + Math.cos(Math.PI / 4))], 1e-6);
  });

  it("linear warm-up, then cosine over the remaining steps", () => {
    near([cosineLr(1, 0, 20, { warmupSteps: 10 })], [0.1], 1e-6);
    near([cosineLr(1, 9, 20, { warmupSteps: 10 })], [1], 1e-6);
    near([cosineLr(1, 10, 20, { warmupSteps: 10 })], [1], 1e-6);
    near([cosineLr(1, 15, 20, { warmupSteps: 10, minLr: 0.2 })], [0.6], 1e-6);
  });
});
