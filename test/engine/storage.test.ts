import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Worker } from "node:worker_threads";
import { Rng, cpuBackend, fromSharedView, tensor, zeros } from "../../engine/index.js";
import { mulScalar } from "../../autograd/index.js";

describe("CPU storage", () => {
  it("lives in shared memory that a worker thread reads without a copy", async () => {
    const t = tensor([1, 2, 3, 4]);
    const view = cpuBackend.f32(t.dataId);
    assert.ok(view.buffer instanceof SharedArrayBuffer);
    // the worker doubles the values in place; the tensor sees it with no copy back
    const worker = new Worker(
      "const { workerData: d, parentPort } = require('node:worker_threads');" +
      "const a = new Float32Array(d.buffer, d.offset, d.length); for (let i = 0; i < a.length; i++) a[i] *= 2; parentPort.postMessage('done');",
      { eval: true, workerData: { buffer: view.buffer, offset: view.byteOffset, length: view.length } },
    );
    await new Promise((resolve, reject) => { worker.once("message", resolve); worker.once("error", reject); });
    await worker.terminate();
    assert.deepEqual([...t.dataSync()], [2, 4, 6, 8]);
  });

  it("fromSharedView wraps existing memory: ops read it, nothing is copied in", () => {
    const shared = new Float32Array(new SharedArrayBuffer(4 * 6));
    shared.set([1, 2, 3, 4, 5, 6]);
    const t = fromSharedView(shared.subarray(2), [2, 2]);
    assert.equal(cpuBackend.f32(t.dataId).buffer, shared.buffer);
    assert.deepEqual([...mulScalar(t, 10).dataSync()], [30, 40, 50, 60]);
    assert.throws(() => fromSharedView(shared, [4]), /fromSharedView: expected 4 values for shape \[4\], received 6/);
  });

  it("reuses released storage of the same size, zeroed, and never takes borrowed memory", () => {
    const a = zeros([1000]);
    cpuBackend.f32(a.dataId).fill(7);
    const offset = cpuBackend.f32(a.dataId).byteOffset;
    a.dispose();
    const b = zeros([1000]);
    assert.equal(cpuBackend.f32(b.dataId).byteOffset, offset, "the released block is reused");
    assert.ok(cpuBackend.f32(b.dataId).every((v) => v === 0), "and handed out zeroed");
    const shared = new Float32Array(new SharedArrayBuffer(4 * 1000));
    fromSharedView(shared, [1000]).dispose();
    b.dispose();
    const c = zeros([1000]), d = zeros([1000]);
    assert.notEqual(cpuBackend.f32(c.dataId).buffer, shared.buffer);
    assert.notEqual(cpuBackend.f32(d.dataId).buffer, shared.buffer);
    assert.notEqual(cpuBackend.f32(c.dataId).byteOffset, cpuBackend.f32(d.dataId).byteOffset);
  });

  it("values are read back asynchronously on any backend", async () => {
    assert.deepEqual([...(await tensor([5, 6]).data())], [5, 6]);
  });
});

describe("Rng", () => {
  it("is deterministic per seed, and resumes exactly from a saved state", () => {
    const a = new Rng(42), b = new Rng(42), c = new Rng(43);
    const seqA = Array.from({ length: 5 }, () => a.nextUint32());
    assert.deepEqual(Array.from({ length: 5 }, () => b.nextUint32()), seqA);
    assert.notDeepEqual(Array.from({ length: 5 }, () => c.nextUint32()), seqA);
    a.normal();
    const saved = a.getState();
    const next = [a.normal(), a.uniform(), a.int(10)];
    const d = new Rng(0);
    d.setState(saved);
    assert.deepEqual([d.normal(), d.uniform(), d.int(10)], next);
  });

  it("draws uniform values with the right mean and normals with the right spread", () => {
    const r = new Rng(1);
    const n = 20000;
    let su = 0, sn = 0, sn2 = 0;
    for (let i = 0; i < n; i++) { su += r.uniform(); const z = r.normal(); sn += z; sn2 += z * z; }
    assert.ok(Math.abs(su / n - 0.5) < 0.01);
    assert.ok(Math.abs(sn / n) < 0.03);
    assert.ok(Math.abs(sn2 / n - 1) < 0.03);
  });
});
