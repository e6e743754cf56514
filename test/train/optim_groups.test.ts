import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CPU, WEBGPU, conformance } from "../helpers/backends.js";
import { Rng, engine, fromSharedView, tensor, type Tensor } from "../../engine/index.js";
import { team } from "../../engine/cpu/wasm/team.js";
import { SGD } from "../../autograd/optim/sgd.js";
import { movingAverage, sgdUpdate } from "../../autograd/ops/optim.js";
import { splitEveryCall } from "../helpers/split_team.js";
import { near } from "../helpers/near.js";

// The optimiser's kernels over many tensors at once (one kernel call holds
// eleven, a task 65,536 elements): each tensor must get the rule's bits
// whatever calls and tasks it falls in, its own first step, and nothing
// when it has no gradient.

const f = Math.fround;
const rng = new Rng(11);
const randoms = (n: number) => Float32Array.from({ length: n }, () => rng.normal());

/** SGD's rule (momentum 0.9, Nesterov, weight decay 5e-4, lr 0.05) on one parameter, in float32-rounded arithmetic. */
function sgdReference(w: Float32Array, buf: Float32Array, g: Float32Array, firstStep: boolean): void {
  for (let i = 0; i < w.length; i++) {
    const d = f(g[i]! + f(w[i]! * 5e-4));
    buf[i] = firstStep ? d : f(f(buf[i]! * 0.9) + d);
    w[i] = f(w[i]! - f(f(d + f(buf[i]! * 0.9)) * 0.05));
  }
}

describe("SGD over many parameters in one kernel", () => {
  // 14 parameters: two calls; sizes across task edges, one empty
  const sizes = [150_001, 3, 0, 70_000, 1, 17, 5, 9, 2, 65_536, 65_537, 4, 8, 1000];
  const init = sizes.map(randoms);
  // parameters 0, 3 and 11 get no gradient in step 0, so their first step is
  // step 1 (a fresh buffer is zeros, so only a first step taken where it is
  // not, by the first of a call, shows: 0 and 11 begin the two calls)
  const late = new Set([0, 3, 11]);
  const grads = [0, 1, 2].map(() => sizes.map(randoms));
  const want = (() => {
    const w = init.map((x) => Float32Array.from(x)), buf = sizes.map((n) => new Float32Array(n)), stepped = new Set<number>();
    grads.forEach((gs, step) => gs.forEach((g, i) => {
      if (step === 0 && late.has(i)) return;
      sgdReference(w[i]!, buf[i]!, g, !stepped.has(i));
      stepped.add(i);
    }));
    return w;
  })();

  for (const threads of [1, 2, 3]) {
    it(`gives each parameter its own rule's bits on ${threads} thread(s), a parameter's first step its own`, () => {
      const restore = splitEveryCall(threads);
      try {
        const ps = init.map((x, i) => tensor(Float32Array.from(x), [sizes[i]!]));
        const opt = new SGD(ps, { lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 5e-4 });
        const shared = team.sharedRuns;
        grads.forEach((gs, step) => {
          opt.zeroGrad();
          ps.forEach((p, i) => { if (!(step === 0 && late.has(i))) p.grad = tensor(gs[i]!, [sizes[i]!]); });
          opt.step();
          if (step === 0) for (const i of late) assert.deepEqual(ps[i]!.dataSync(), init[i], `parameter ${i} without a gradient`);
        });
        ps.forEach((p, i) => assert.deepEqual(p.dataSync(), want[i], `parameter ${i}`));
        if (threads > 1) assert.equal(team.sharedRuns - shared, 1 + 2 + 2, "11 parameters with a gradient in step 0 fill one call, 14 two; each shared out");
      } finally {
        restore();
      }
    });
  }

  it("without momentum, over two calls: weight decay and the step on each", () => {
    const restore = splitEveryCall(2);
    try {
      const ps = init.map((x, i) => tensor(Float32Array.from(x), [sizes[i]!]));
      new SGD(ps, { lr: 0.5, weightDecay: 0.25 }).step(); // no gradients: nothing moves
      ps.forEach((p, i) => { p.grad = tensor(grads[0]![i]!, [sizes[i]!]); });
      const opt = new SGD(ps, { lr: 0.5, weightDecay: 0.25 });
      opt.step();
      ps.forEach((p, i) => assert.deepEqual(p.dataSync(), init[i]!.map((w, j) => f(w - f(f(grads[0]![i]![j]! + f(w * 0.25)) * 0.5))), `parameter ${i}`));
      assert.equal(opt.stateTensors().size, 0, "no momentum buffers");
    } finally {
      restore();
    }
  });

  it("a first step's momentum buffer is the gradient itself, a negative zero's sign included (torch: buf = clone(grad))", () => {
    const p = tensor([1, 2]);
    const opt = new SGD([p], { lr: 0.1, momentum: 0.9 });
    p.grad = tensor([-0, 1]);
    opt.step();
    const buf = opt.stateTensors().get("0.0")!.dataSync();
    assert.ok(Object.is(buf[0], -0), `buffer ${buf[0]}`);
    assert.equal(buf[1], 1);
  });

  it("refuses a parameter listed twice, and a tensor updated in place that another reads", () => {
    const a = tensor([1]), b = tensor([2]), c = tensor([3]);
    assert.throws(() => new SGD([a, b, a], { lr: 0.1 }), /optimizer: parameter 2 is parameter 0 again; each may appear once/);
    const rule = { lr: 0.1, momentum: 0, nesterov: false, weightDecay: 0 };
    assert.throws(() => sgdUpdate([{ p: a, grad: c, buf: null, firstStep: true }, { p: a, grad: b, buf: null, firstStep: true }], rule),
      /SgdUpdate: expected each tensor updated in place at most once, received inputs 0 and 2 the same tensor/);
    assert.throws(() => sgdUpdate([{ p: a, grad: b, buf: null, firstStep: true }, { p: b, grad: c, buf: null, firstStep: true }], rule),
      /SgdUpdate: expected no tensor updated in place that another input reads, received input 1 is input 2, updated in place/);
    assert.throws(() => sgdUpdate([{ p: a, grad: b, buf: a, firstStep: true }], { ...rule, momentum: 0.9 }),
      /SgdUpdate: expected each tensor updated in place at most once, received inputs 0 and 2 the same tensor/);
    assert.throws(() => engine.runKernel("SgdUpdate", [a, b, c, a], { ...rule, momentum: 0.9, firstStep: [true] }),
      /SgdUpdate: expected 3 inputs \(param, grad, momentum buffer\) per group, for 1 group\(s\), received 4 inputs/);
    assert.throws(() => engine.runKernel("SgdUpdate", [a, b, c], { ...rule, firstStep: [true] }),
      /SgdUpdate: expected 2 inputs \(param, grad\) per group, for 1 group\(s\), received 3 inputs/);
    assert.throws(() => engine.runKernel("SgdUpdate", [], { ...rule, firstStep: [] }), /SgdUpdate: expected 2 inputs \(param, grad\) per group, for 0 group\(s\), received 0 inputs/);
    assert.throws(() => sgdUpdate([{ p: a, grad: tensor([1], [1], "int32"), buf: null, firstStep: true }], rule), /SgdUpdate: expected float32 tensors of shape \[1\], received int32 \[1\]/);
    assert.deepEqual([a, b, c].map((t) => t.dataSync()[0]), [1, 2, 3]);
  });
});

describe("running averages over many tensors in one kernel", () => {
  it("gives each target its own scale's bits over two calls on 2 threads", () => {
    const sizes = [70_000, 1, 5, 0, 65_537, 3, 2, 8, 9, 12, 4, 6, 100];
    const targets = sizes.map(randoms), values = sizes.map(randoms), scales = sizes.map((_, i) => 1 + i / 7);
    const restore = splitEveryCall(2);
    try {
      const ts = targets.map((x, i) => tensor(Float32Array.from(x), [sizes[i]!]));
      movingAverage(ts.map((target, i) => ({ target, value: tensor(values[i]!, [sizes[i]!]), scale: scales[i] })), 0.1);
      ts.forEach((t, i) => assert.deepEqual(t.dataSync(), targets[i]!.map((x, j) => f(f(x * 0.9) + f(f(values[i]![j]! * scales[i]!) * 0.1))), `target ${i}`));
    } finally {
      restore();
    }
  });

  it("updates a target held in another thread's memory (borrowed storage) in place, and nothing for no targets", () => {
    const view = new Float32Array(new SharedArrayBuffer(4 * 3));
    view.set([1, 2, 3]);
    movingAverage([{ target: fromSharedView(view, [3]), value: tensor([5, 6, 7]) }], 0.5);
    assert.deepEqual([...view], [3, 4, 5]);
    movingAverage([], 0.5);
  });

  it("refuses a target given twice and a scale count that does not match", () => {
    const a = tensor([1]), b = tensor([2]);
    assert.throws(() => movingAverage([{ target: a, value: b }, { target: a, value: b }], 0.1), /MovingAverage: expected each tensor updated in place at most once, received inputs 0 and 2 the same tensor/);
    assert.throws(() => engine.runKernel("MovingAverage", [a, b], { momentum: 0.1, scales: [1, 1] }), /MovingAverage: expected 2 inputs \(target, value\) per group, for 2 group\(s\), received 2 inputs/);
  });
});

conformance("SGD and running averages over several tensors", [CPU, WEBGPU], (v) => {
  it("each parameter and average follows its own rule, first step and scale", async () => {
    const a = tensor([1, -2]), b = tensor([0.5]), c = tensor([3, 4, 5]);
    // b first: its first step, in the second, must not be a's and c's
    const opt = new SGD([b, a, c], { lr: 0.1, momentum: 0.5 });
    const setGrads = (gs: (number[] | null)[]) => [a, b, c].forEach((p, i) => { p.grad?.dispose(); p.grad = gs[i] === null ? null : tensor(gs[i]!, [...p.shape]); });
    setGrads([[1, 1], null, [2, 0, -2]]); opt.step();  // b has no first step yet
    setGrads([[1, 1], [4], [2, 0, -2]]); opt.step();   // a, c: buf 1.5 g; b: buf = g
    const got = await Promise.all([a, b, c].map(async (t) => [...await t.data()]));
    near(got[0]!, [1 - 0.1 - 0.15, -2 - 0.1 - 0.15], 1e-6);
    near(got[1]!, [0.5 - 0.4], 1e-6);
    near(got[2]!, [3 - 0.2 - 0.3, 4, 5 + 0.2 + 0.3], 1e-6);
    const avg: Tensor[] = [tensor([1, 2]), tensor([10])];
    movingAverage([{ target: avg[0]!, value: tensor([3, 4]) }, { target: avg[1]!, value: tensor([20]), scale: 0.5 }], 0.25);
    near([...await avg[0]!.data()], [1.5, 2.5], 1e-6);
    near([...await avg[1]!.data()], [10], 1e-6);
  });
});
