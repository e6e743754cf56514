import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { engine, getKernel, memory, registerKernel, scalar, tensor, tidy, zeros, type Tensor } from "../../engine/index.js";
import * as ag from "../../autograd/index.js";
import { runOp1 } from "../../autograd/run_op.js";

const values = (t: Tensor) => [...t.dataSync()];

describe("autograd tape", () => {
  it("accumulates the gradient of a tensor used more than once", () => {
    const x = tensor([1, 2, 3]);
    x.requiresGrad = true;
    // y = sum(x*x + x + x) -> dy/dx = 2x + 2
    ag.sum(ag.add(ag.add(ag.mul(x, x), x), x)).backward();
    assert.deepEqual(values(x.grad!), [4, 6, 8]);
  });

  it("accumulates into .grad across backward calls, as PyTorch", () => {
    const x = tensor([1, -1]);
    x.requiresGrad = true;
    ag.sum(ag.mulScalar(x, 3)).backward();
    ag.sum(ag.mulScalar(x, 3)).backward();
    assert.deepEqual(values(x.grad!), [6, 6]);
  });

  it("reduces gradients over broadcast axes to each input's shape", () => {
    const a = zeros([2, 3, 4]), b = tensor([1, 2, 3, 4]);
    a.requiresGrad = true;
    b.requiresGrad = true;
    ag.sum(ag.add(a, b)).backward();
    assert.deepEqual([...b.grad!.shape], [4]);
    assert.deepEqual(values(b.grad!), [6, 6, 6, 6]);
  });

  it("grad(f, xs) returns gradients without touching .grad", () => {
    const x = tensor([2, 3]);
    const [g] = ag.grad(() => ag.sum(ag.powScalar(x, 3)), [x]);
    assert.deepEqual(values(g!), [12, 27]);
    assert.equal(x.grad, null);
    assert.equal(x.requiresGrad, false);
  });

  it("noGrad records nothing; detach cuts the graph", () => {
    const x = tensor([1, 2]);
    x.requiresGrad = true;
    const y = ag.noGrad(() => ag.mul(x, x));
    assert.equal(y.requiresGrad, false);
    assert.equal(y.node, null);
    const z = ag.sum(ag.mul(ag.detach(ag.mul(x, x)), x));
    z.backward();
    assert.deepEqual(values(x.grad!), [1, 4]); // x^2 treated as a constant
  });

  it("frees the graph after backward unless retainGraph is set", () => {
    const x = tensor([1, 2]);
    x.requiresGrad = true;
    const y = ag.sum(ag.mul(x, x));
    ag.backward(y, undefined, { retainGraph: true });
    ag.backward(y);
    assert.deepEqual(values(x.grad!), [4, 8]);
    assert.equal(y.node, null);
  });

  it("rejects backward from a non-scalar without dy and from a tensor outside any graph", () => {
    const x = tensor([1, 2]);
    x.requiresGrad = true;
    assert.throws(() => ag.mulScalar(x, 2).backward(), /backward: a gradient is only implied for one-element tensors; pass dy for shape \[2\]/);
    assert.throws(() => scalar(1).backward(), /does not require grad/);
    const y = ag.mulScalar(x, 2);
    y.backward(tensor([1, 10]));
    assert.deepEqual(values(x.grad!), [2, 20]);
  });

  it("an unknown kernel, a disposed input and a missing gradient are named errors", () => {
    assert.throws(() => engine.runKernel("NoSuchKernel", [], {}), /NoSuchKernel: expected a kernel registered for backend 'cpu', received none/);
    const t = tensor([1]);
    t.dispose();
    assert.throws(() => ag.relu(t), /Relu: expected live input tensors, received disposed tensor/);
    registerKernel("TestNegWithoutGradient", "cpu", getKernel("Neg", "cpu"));
    const x = tensor([1]);
    x.requiresGrad = true;
    assert.throws(() => runOp1("TestNegWithoutGradient", [x], {}), /autograd: no gradient registered for kernel 'TestNegWithoutGradient'/);
  });

  it("tidy disposes what its function created, except what it returns", () => {
    const before = memory().tensors;
    const kept = tidy(() => {
      const a = tensor([1, 2, 3]);
      const b = ag.mul(a, a);
      return ag.add(b, a);
    });
    assert.equal(memory().tensors, before + 1);
    assert.deepEqual(values(kept), [2, 6, 12]);
    kept.dispose();
    assert.equal(memory().tensors, before);
  });
});
