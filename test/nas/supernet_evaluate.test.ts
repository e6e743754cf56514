// Scoring a supernet path and recalibrating its BN statistics, on a stub
// supernet whose predictions and batch statistics are computed here by hand:
// the modes each step runs in, what it counts, and what it leaves behind.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { near, vals } from "../helpers/near.js";
import { tensor, type Tensor } from "../../engine/index.js";
import { assign, isGradEnabled, reshape, slice } from "../../autograd/index.js";
import { BatchNorm2d } from "../../autograd/nn/layers.js";
import { Module } from "../../autograd/nn/module.js";
import type { ImageDataset } from "../../data/dataset.js";
import type { Supernet } from "../../nas/supernet/supernet.js";
import { evaluatePath, recalibrate } from "../../nas/supernet/evaluate.js";

const PIX = 4; // 1 x 2 x 2 images

/** Image i is [a, b, c, d]; the stub predicts the argmax of its first three pixels. */
const IMAGES = [[9, 1, 2, 0], [1, 8, 2, 5], [1, 2, 7, 3], [6, 5, 4, 3], [0, 0, 9, 1], [3, 9, 1, 7], [2, 4, 6, 8], [5, 1, 0, 2], [1, 3, 2, 9], [7, 7, 8, 1]];
const LABELS = [0, 1, 0, 0, 2, 1, 1, 2, 1, 2]; // predictions are 0 1 2 0 2 1 2 0 1 2: 7 right (images 0, 1, 3, 4, 5, 8, 9)

function data(): ImageDataset {
  return { name: "stub", images: Uint8Array.from(IMAGES.flat()), labels: Int32Array.from(LABELS), count: IMAGES.length, channels: 1, height: 2, width: 2, classes: 3 };
}

interface Seen { n: number; training: boolean; batchStats: boolean; grad: boolean }

class StubSupernet extends Module implements Supernet {
  readonly bn = this.registerModule("bn", new BatchNorm2d(1));
  readonly seen: Seen[] = [];
  batchStats = false;
  failAt = -1;
  forward(): Tensor { throw new Error("the code calls forwardPath"); }
  useBatchStatsInEval(on: boolean): void { this.batchStats = on; }
  forwardPath(x: Tensor, _genes: readonly number[], _lambda: Tensor): Tensor {
    const n = x.shape[0]!;
    this.seen.push({ n, training: this.training, batchStats: this.batchStats, grad: isGradEnabled() });
    if (this.seen.length === this.failAt) throw new Error("planted failure");
    this.bn.forward(x); // updates the running statistics in training mode
    return slice(reshape(x, [n, PIX]), [0, 0], [n, 3]);
  }
}

const lambda = tensor([1]);

describe("evaluatePath", () => {
  it("counts top-1 hits over every image, whatever the batch size (7 of 10 by hand)", () => {
    for (const batchSize of [256, 3, 1]) {
      const s = new StubSupernet();
      assert.equal(evaluatePath(s, [0], lambda, data(), { mean: [0], std: [1] }, batchSize), 0.7);
      assert.deepEqual(s.seen.map((x) => x.n), batchSize === 256 ? [10] : batchSize === 3 ? [3, 3, 3, 1] : Array(10).fill(1));
    }
  });

  it("runs in evaluation mode without gradients, with batch statistics unless asked for the running ones, and restores training mode", () => {
    const s = new StubSupernet();
    evaluatePath(s, [0], lambda, data(), { mean: [0], std: [1] }, 4);
    assert.deepEqual(s.seen, [4, 4, 2].map((n) => ({ n, training: false, batchStats: true, grad: false })));
    assert.equal(s.training, true);
    assert.equal(s.bn.training, true);
    assert.equal(s.batchStats, false);
    const r = new StubSupernet();
    evaluatePath(r, [0], lambda, data(), { mean: [0], std: [1] }, 256, "running");
    assert.deepEqual(r.seen, [{ n: 10, training: false, batchStats: false, grad: false }]);
  });

  it("restores training mode and running statistics' use when a forward throws", () => {
    const s = new StubSupernet();
    s.failAt = 2;
    assert.throws(() => evaluatePath(s, [0], lambda, data(), { mean: [0], std: [1] }, 4), /planted failure/);
    assert.equal(s.training, true);
    assert.equal(s.batchStats, false);
  });

  it("normalises with the recipe's mean and std before the forward", () => {
    // (p / 255 - 0.5) / 0.25 keeps every argmax, so the count is the same; a missing normalisation would too, so check the values seen
    const s = new StubSupernet();
    let first: number[] = [];
    const original = s.forwardPath.bind(s);
    s.forwardPath = (x, g, l) => { if (first.length === 0) first = vals(x).slice(0, PIX); return original(x, g, l); };
    evaluatePath(s, [0], lambda, data(), { mean: [0.5], std: [0.25] }, 4);
    near(first, IMAGES[0]!.map((p) => (p / 255 - 0.5) / 0.25));
  });
});

describe("recalibrate", () => {
  /** Mean and unbiased variance of the pixels of images lo .. hi-1, scaled to [0, 1]. */
  const stats = (lo: number, hi: number) => {
    const v = IMAGES.slice(lo, hi).flat().map((p) => p / 255);
    const m = v.reduce((a, b) => a + b, 0) / v.length;
    return { m, v: v.reduce((a, b) => a + (b - m) ** 2, 0) / (v.length - 1) };
  };

  it("resets the running statistics, then averages `count` training batches' statistics cumulatively, without gradients", () => {
    const s = new StubSupernet();
    // NaN, as a diverged path may leave them: the first batch's momentum of 1 alone would keep them (0 * NaN)
    assign(s.bn.runningMean, tensor([Number.NaN]));
    assign(s.bn.runningVar, tensor([Number.NaN]));
    s.bn.momentum = 0.3;
    s.eval();
    recalibrate(s, [0], lambda, data(), { mean: [0], std: [1] }, 2, 4);
    const [a, b] = [stats(0, 4), stats(4, 8)];
    near(vals(s.bn.runningMean), [(a.m + b.m) / 2], 1e-6);
    near(vals(s.bn.runningVar), [(a.v + b.v) / 2], 1e-6);
    assert.deepEqual(s.seen, [4, 4].map((n) => ({ n, training: true, batchStats: false, grad: false })));
    assert.equal(s.bn.momentum, 0.3);
    assert.equal(s.training, true);
  });

  it("stops at the data's end when asked for more batches than there are, the short last batch included", () => {
    const s = new StubSupernet();
    recalibrate(s, [0], lambda, data(), { mean: [0], std: [1] }, 99, 4);
    assert.deepEqual(s.seen.map((x) => x.n), [4, 4, 2]);
    const [a, b, c] = [stats(0, 4), stats(4, 8), stats(8, 10)];
    near(vals(s.bn.runningMean), [(a.m + b.m + c.m) / 3], 1e-6);
    near(vals(s.bn.runningVar), [(a.v + b.v + c.v) / 3], 1e-6);
  });

  it("restores each BN's momentum when a forward throws", () => {
    const s = new StubSupernet();
    s.bn.momentum = 0.25;
    s.failAt = 2;
    assert.throws(() => recalibrate(s, [0], lambda, data(), { mean: [0], std: [1] }, 3, 4), /planted failure/);
    assert.equal(s.bn.momentum, 0.25);
  });
});
