// The supernet trainer's schedule (Algorithm 2) on a stub supernet, without
// training a network: which steps run, with which code lambda, on which
// images, which weights each step moves, the loss each step reports, the
// learning rates and the refusals. The stub records every forward and its
// logits are x W (lambda . v), so each expectation is computed here by hand.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { near, vals } from "../helpers/near.js";
import { Rng, tensor, type Tensor } from "../../engine/index.js";
import { assign, matmul, mul, reshape, sum } from "../../autograd/index.js";
import { Module } from "../../autograd/nn/module.js";
import type { ImageDataset } from "../../data/dataset.js";
import { DivergedError } from "../../train/fit.js";
import { oneHot, oneHotSize, type Gene, type SearchSpace } from "../../nas/space.js";
import type { Supernet } from "../../nas/supernet/supernet.js";
import { SimplexNet, stackOneHots } from "../../nas/supernet/simplex_net.js";
import { DEFAULT_SUPERNET_OPTIONS, SupernetTrainer, type SupernetOptions, type SupernetStepReport } from "../../nas/supernet/trainer.js";
import type { SupernetMode } from "../../nas/supernet/path_code.js";

const CLASSES = 3;
const PIX = 4; // 1 x 2 x 2 images

/** Two op genes of 3 choices, and three width genes of 3 when asked. */
function stubSpace(widths: boolean): SearchSpace {
  const genes: Gene[] = [
    { name: "op0", kind: "op", choices: ["a", "b", "c"] },
    { name: "op1", kind: "op", choices: ["a", "b", "c"] },
    // r_c moves 3 width layers one step each: 0.6 in all, under its threshold of 1
    ...(widths ? [0, 1, 2].map((l): Gene => ({ name: `w${l}`, kind: "width", choices: ["0.6", "0.8", "1.0"] })) : []),
  ];
  return {
    name: "stub", genes, distinctFunctions: 3 ** (widths ? 5 : 2),
    format: (g) => g.join(","), parse: (s) => s.split(",").map(Number), functionKey: (g) => g.join(","),
    cost: () => { throw new Error("not used"); },
  };
}

/** n images whose first pixel names the image (20 i), labels i mod 3. */
function stubData(n: number): ImageDataset {
  const images = new Uint8Array(n * PIX);
  for (let i = 0; i < n; i++) images.set([20 * i, 30 + i, 100 - 3 * i, (7 * i) % 50], i * PIX);
  return { name: "stub", images, labels: Int32Array.from({ length: n }, (_, i) => i % CLASSES), count: n, channels: 1, height: 2, width: 2, classes: CLASSES };
}

interface Call { genes: number[]; lambda: number[]; x: number[]; n: number; w: number[]; simplex: number[]; trainable: boolean }

/** logits = x W (lambda . v): lambda gets a gradient, and every value is computable by hand from what is recorded. */
class StubSupernet extends Module implements Supernet {
  readonly w: Tensor;
  readonly calls: Call[] = [];
  simplex: SimplexNet | null = null;
  constructor(readonly v: number[]) {
    super();
    this.w = this.registerParameter("w", tensor(Array.from({ length: PIX * CLASSES }, (_, i) => ((i * 7) % 5) / 5 - 0.4), [PIX, CLASSES]));
  }
  forward(): Tensor { throw new Error("the trainer calls forwardPath"); }
  useBatchStatsInEval(): void {}
  forwardPath(x: Tensor, genes: readonly number[], lambda: Tensor): Tensor {
    const n = x.shape[0]!;
    this.calls.push({
      genes: [...genes], lambda: vals(lambda), x: vals(x), n, w: vals(this.w), trainable: this.w.requiresGrad,
      simplex: this.simplex!.parameters().flatMap((p) => vals(p)),
    });
    return mul(matmul(reshape(x, [n, PIX]), this.w), sum(mul(lambda, tensor(this.v))));
  }
}

/** The cross-entropy of one recorded forward, in plain arithmetic, labels read back from the images. */
function crossEntropyOf(c: Call, v: readonly number[]): number {
  const s = c.lambda.reduce((acc, l, k) => acc + l * v[k]!, 0);
  let total = 0;
  for (let i = 0; i < c.n; i++) {
    const x = c.x.slice(i * PIX, (i + 1) * PIX);
    const label = Math.round((x[0]! * 255) / 20) % CLASSES;
    const z = Array.from({ length: CLASSES }, (_, j) => s * x.reduce((a, xi, r) => a + xi * c.w[r * CLASSES + j]!, 0));
    const max = Math.max(...z);
    total += max + Math.log(z.reduce((a, zj) => a + Math.exp(zj - max), 0)) - z[label]!;
  }
  return total / c.n;
}

/** The simplex-net's code for one path, straight from its codes(). */
function codeOf(simplex: SimplexNet, space: SearchSpace, genes: readonly number[]): number[] {
  const widths = simplex.widthDim > 0 ? stackOneHots([oneHot(space, genes, "width")]) : null;
  return vals(simplex.codes(stackOneHots([oneHot(space, genes, "op")]), widths));
}

interface Setup { mode?: SupernetMode; K?: number; n?: number; widths?: boolean; v?: number[]; options?: Partial<SupernetOptions> }

function setup(s: Setup = {}) {
  const K = s.K ?? 3, mode = s.mode ?? "kshot", space = stubSpace(s.widths ?? false);
  const data = stubData(s.n ?? 10);
  const supernet = new StubSupernet(s.v ?? [0.5, 1.5, -1, 2].slice(0, K));
  const simplex = new SimplexNet(oneHotSize(space, "op"), oneHotSize(space, "width"), K, new Rng(3), 5);
  supernet.simplex = simplex;
  const options: SupernetOptions = {
    ...DEFAULT_SUPERNET_OPTIONS, mode, K, epochs: 2, warmupEpochs: 1, batchSize: 4, m: 2, simplexBatch: 4, ...s.options,
  };
  const trainer = new SupernetTrainer(space, supernet, simplex, data, { mean: [0], std: [1] }, options, new Rng(7));
  const steps: (SupernetStepReport & { lrTheta: number; lrSimplex: number })[] = [];
  const epoch = () => trainer.runEpoch((r) => steps.push({ ...r, lrTheta: trainer.optTheta.lr, lrSimplex: trainer.optSimplex.lr }));
  return { trainer, supernet, simplex, space, steps, epoch, options };
}

const kinds = (steps: readonly SupernetStepReport[]) => steps.map((s) => s.kind);

describe("supernet trainer: the schedule of Algorithm 2", () => {
  it("warm-up trains every path with lambda = 1/K and no simplex-net step; after it, each supernet batch is followed by one simplex-net step", async () => {
    const { supernet, simplex, space, steps, epoch } = setup();
    const first = await epoch();
    assert.equal(supernet.calls.length, 3); // 10 images in batches of 4, 4, 2
    for (const c of supernet.calls) assert.deepEqual(c.lambda, [1 / 3, 1 / 3, 1 / 3].map(Math.fround));
    assert.deepEqual(kinds(steps), ["supernet", "supernet", "supernet"]);
    assert.equal(first.simplexLoss, null);
    assert.deepEqual(supernet.calls.map((c) => c.n), [4, 4, 2]);

    steps.length = 0;
    supernet.calls.length = 0;
    const second = await epoch();
    assert.deepEqual(kinds(steps), ["supernet", "simplex", "supernet", "simplex", "supernet", "simplex"]);
    assert.deepEqual(steps.map((s) => s.steps), [6, 6, 6, 6, 6, 6]);
    assert.deepEqual(steps.map((s) => s.step), [1, 2, 3, 4, 5, 6]);
    // one supernet forward then m = 2 group forwards of the simplex-net's own batch of 4
    assert.deepEqual(supernet.calls.map((c) => c.n), [4, 2, 2, 4, 2, 2, 2, 2, 2]);
    assert.equal(second.epoch, 2);
    for (const c of supernet.calls) {
      // after warm-up every code, the supernet step's included, is the simplex-net's for that path (not 1/K)
      const simplexNow = new SimplexNet(simplex.archDim, simplex.widthDim, simplex.K, new Rng(0), 5);
      simplexNow.parameters().forEach((p) => assign(p, tensor(c.simplex.splice(0, p.size), p.shape)));
      near(c.lambda, codeOf(simplexNow, space, c.genes));
      assert.ok(Math.abs(c.lambda[0]! - 1 / 3) > 1e-4);
    }
  });

  it("a supernet step moves only the supernet, a simplex-net step only the simplex-net (the supernet frozen while it runs)", async () => {
    const { supernet, epoch } = setup({ options: { warmupEpochs: 0 } });
    await epoch();
    const c = supernet.calls;
    assert.deepEqual(c.map((x) => x.trainable), [true, false, false, true, false, false, true, false, false]);
    const changed = (a: number[], b: number[]) => a.some((v, i) => v !== b[i]);
    for (let i = 1; i < c.length; i++) {
      const afterSupernet = c[i - 1]!.trainable, sameStep = !c[i]!.trainable && !c[i - 1]!.trainable && i % 3 === 2;
      assert.equal(changed(c[i - 1]!.w, c[i]!.w), afterSupernet, `supernet weights at forward ${i}`);
      assert.equal(changed(c[i - 1]!.simplex, c[i]!.simplex), !afterSupernet && !sameStep, `simplex-net weights at forward ${i}`);
    }
    assert.equal(supernet.w.requiresGrad, true); // unfrozen after the step
  });

  it("reports each step's loss: a supernet step's cross-entropy, a simplex-net step's mean over its m groups weighted by their sizes", async () => {
    const v = [0.5, 1.5, -1];
    const { supernet, steps, epoch } = setup({ v, options: { warmupEpochs: 0, m: 3, simplexBatch: 5, epochs: 1 } });
    const report = await epoch();
    const c = supernet.calls;
    // groups of floor(g b / m): 5 images over 3 paths are 1, 2 and 2
    assert.deepEqual(c.map((x) => x.n), [4, 1, 2, 2, 4, 1, 2, 2, 2, 1, 2, 2]);
    const expected: number[] = [];
    for (let i = 0; i < c.length; i += 4) {
      expected.push(crossEntropyOf(c[i]!, v));
      expected.push([1, 2, 3].reduce((acc, g) => acc + (c[i + g]!.n / 5) * crossEntropyOf(c[i + g]!, v), 0));
    }
    near(steps.map((s) => s.loss), expected, 1e-5);
    const meanOf = (k: string) => { const l = steps.filter((s) => s.kind === k).map((s) => s.loss); return l.reduce((a, b) => a + b, 0) / l.length; };
    assert.ok(Math.abs(report.supernetLoss - meanOf("supernet")) < 1e-9);
    assert.ok(Math.abs(report.simplexLoss! - meanOf("simplex")) < 1e-9);
  });

  it("even-odd alternation gives the odd batches to the simplex-net, m paths over each, and a batch shorter than m to the supernet", async () => {
    // batches of 4, 4, 2 per epoch; the global step's parity carries over from epoch 1 (steps 0-2) to epoch 2 (steps 3-5)
    const run = async (m: number) => {
      const { supernet, steps, epoch } = setup({ options: { warmupEpochs: 0, alternation: "even-odd", m, simplexBatch: m, epochs: 2 } });
      await epoch();
      await epoch();
      assert.deepEqual(steps.map((s) => s.steps), [3, 3, 3, 3, 3, 3]);
      return { kinds: kinds(steps), n: supernet.calls.map((c) => c.n) };
    };
    const three = await run(3);
    assert.deepEqual(three.kinds, ["supernet", "simplex", "supernet", "simplex", "supernet", "supernet"]);
    assert.deepEqual(three.n, [4, 1, 1, 2, 2, 1, 1, 2, 4, 2]); // 4 images over 3 paths: 1, 1, 2
    const two = await run(2); // the last batch holds exactly m images: it goes to the simplex-net
    assert.deepEqual(two.kinds, ["supernet", "simplex", "supernet", "simplex", "supernet", "simplex"]);
    assert.deepEqual(two.n, [4, 2, 2, 2, 2, 2, 4, 1, 1]);
  });

  it("trains both nets by SGD with Nesterov momentum, weight decay on the supernet only; runs without a step callback and times the epoch", async () => {
    const { trainer, options } = setup({ options: { momentum: 0.9, weightDecay: 4e-5 } });
    assert.deepEqual([trainer.optTheta.momentum, trainer.optTheta.nesterov, trainer.optTheta.weightDecay], [0.9, true, 4e-5]);
    assert.deepEqual([trainer.optSimplex.momentum, trainer.optSimplex.nesterov, trainer.optSimplex.weightDecay], [0.9, true, 0]);
    assert.equal(options.momentum, 0.9);
    const t0 = performance.now();
    const report = await trainer.runEpoch();
    const wall = (performance.now() - t0) / 1000;
    assert.equal(report.epoch, 1);
    assert.ok(report.seconds >= 0 && report.seconds <= wall, `${report.seconds} s within the ${wall} s the call took`);
  });

  it("decays both learning rates per step on a cosine to 0 over all epochs' supernet batches", async () => {
    const { steps, epoch, options } = setup({ options: { warmupEpochs: 1, epochs: 2, lr: 0.1, simplexLr: 0.02 } });
    await epoch();
    await epoch();
    const supernetSteps = steps.filter((s) => s.kind === "supernet");
    assert.equal(supernetSteps.length, 6);
    supernetSteps.forEach((s, t) => {
      near([s.lrTheta, s.lrSimplex], [0.1 * 0.5 * (1 + Math.cos((Math.PI * t) / 6)), 0.02 * 0.5 * (1 + Math.cos((Math.PI * t) / 6))], 1e-12);
    });
    assert.equal(options.lr, 0.1);
  });

  it("adds alpha * r_c to the simplex-net's loss when the space has widths: alpha = 2 adds twice what alpha = 1 does", async () => {
    const firstSimplexLoss = async (alpha: number) => {
      const { steps, epoch } = setup({ widths: true, options: { warmupEpochs: 0, epochs: 1, alpha } });
      await epoch();
      return steps.find((s) => s.kind === "simplex")!.loss;
    };
    const [l0, l1, l2] = [await firstSimplexLoss(0), await firstSimplexLoss(1), await firstSimplexLoss(2)];
    assert.ok(Math.abs(l1 - l0) > 1e-4, `r_c adds ${l1 - l0}`);
    near([l2 - l0], [2 * (l1 - l0)], 1e-5);
  });
});

describe("supernet trainer: the baselines", () => {
  it("fixed: lambda = 1/K on every step of every epoch, and the simplex-net never moves", async () => {
    const { supernet, steps, epoch } = setup({ mode: "fixed", K: 4, options: { warmupEpochs: 0 } });
    await epoch();
    await epoch();
    assert.ok(steps.every((s) => s.kind === "supernet"));
    for (const c of supernet.calls) assert.deepEqual(c.lambda, [0.25, 0.25, 0.25, 0.25]);
    assert.deepEqual(supernet.calls.at(-1)!.simplex, supernet.calls[0]!.simplex);
  });

  it("oneshot: K = 1, lambda = [1]", async () => {
    const { supernet, epoch } = setup({ mode: "oneshot", K: 1, options: { warmupEpochs: 0 } });
    await epoch();
    for (const c of supernet.calls) assert.deepEqual(c.lambda, [1]);
  });

  it("random: the untrained simplex-net's code for each path, never 1/K, and the simplex-net never moves", async () => {
    const { supernet, simplex, space, steps, epoch } = setup({ mode: "random", options: { warmupEpochs: 1 } });
    await epoch();
    await epoch();
    assert.ok(steps.every((s) => s.kind === "supernet"));
    for (const c of supernet.calls) near(c.lambda, codeOf(simplex, space, c.genes));
    assert.deepEqual(supernet.calls.at(-1)!.simplex, supernet.calls[0]!.simplex);
  });
});

describe("supernet trainer: refusals", () => {
  it("stops with a DivergedError naming the epoch and step at a non-finite loss", async () => {
    const { epoch } = setup({ v: [Number.NaN, 1, 1], options: { warmupEpochs: 0 } });
    await assert.rejects(epoch(), (e: unknown) => e instanceof DivergedError && /loss NaN at epoch 1, step 1/.test((e as Error).message));
  });

  it("refuses one-shot with K > 1, m below 1 or fractional, a simplex-net batch outside m .. the images, and more warm-up than epochs", () => {
    assert.throws(() => setup({ mode: "oneshot", K: 2 }), /mode oneshot means K = 1, received K = 2/);
    assert.throws(() => setup({ options: { m: 0 } }), /expected m >= 1 paths per simplex step, received 0/);
    assert.throws(() => setup({ options: { m: 1.5 } }), /received 1\.5/);
    assert.throws(() => setup({ options: { m: 3, simplexBatch: 2 } }), /a simplex-net batch of m = 3 to 10 \(the training images\) images, received 2/);
    assert.throws(() => setup({ options: { simplexBatch: 11 } }), /received 11/);
    assert.throws(() => setup({ options: { simplexBatch: 4.5 } }), /received 4\.5/);
    assert.throws(() => setup({ options: { warmupEpochs: 3, epochs: 2 } }), /3 warm-up epochs exceed 2 epochs/);
    // the bounds themselves are allowed
    setup({ options: { m: 1, simplexBatch: 1, warmupEpochs: 2, epochs: 2 } });
    setup({ options: { m: 10, simplexBatch: 10 } });
  });
});
