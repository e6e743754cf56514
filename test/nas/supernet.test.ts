import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { near, vals } from "../helpers/near.js";
import { Rng, tidy } from "../../engine/index.js";
import { head } from "../../data/dataset.js";
import { loadMnistSplit } from "../../data/mnist.js";
import { Nb201Space } from "../../nas/nb201/space.js";
import { evaluatePath, recalibrate } from "../../nas/supernet/evaluate.js";
import { Nb201Supernet, kshotWeights, sharedWeights } from "../../nas/supernet/nb201_supernet.js";
import { SimplexNet } from "../../nas/supernet/simplex_net.js";
import { SupernetTrainer, type SupernetOptions, DEFAULT_SUPERNET_OPTIONS } from "../../nas/supernet/trainer.js";
import { oneHotSize } from "../../nas/space.js";
import { DATA_RECIPES, EMBEDDED_FASHION_MNIST } from "../../train/datasets.js";


describe("K-shot supernet initialisation", () => {
  it("holds K copies of a 1x1 and a 3x3 conv per edge, each followed by a BN without affine parameters: parameters counted by hand, names as checkpoints read them", () => {
    const [C, K] = [4, 3];
    const net = new Nb201Supernet({ C, N: 1, inChannels: 1, classes: 10 }, kshotWeights(K), new Rng(3));
    // stem conv 1 -> C and its BN; per cell at c, 6 edges x K x (c*c + 9*c*c); per reduction cin -> cout,
    // conv_a 3x3 + BN, conv_b 3x3 + BN, the shortcut's 1x1; the head's BN and linear layer
    const cell = (c: number) => 6 * K * 10 * c * c;
    const reduction = (cin: number, cout: number) => 9 * cin * cout + 2 * cout + 9 * cout * cout + 2 * cout + cin * cout;
    const want = 9 * C + 2 * C + cell(C) + reduction(C, 2 * C) + cell(2 * C) + reduction(2 * C, 4 * C) + cell(4 * C) + 2 * 4 * C + 4 * C * 10 + 10;
    assert.equal(net.numParameters(), want);
    const names = [...net.stateDict().keys()];
    for (const n of ["cells.0.edges.5.nor_conv_1x1.weight.theta", "cells.0.edges.2.nor_conv_3x3.bn.running_mean", "cells.4.edges.0.nor_conv_3x3.bn.running_var"]) {
      assert.ok(names.includes(n), `missing ${n}`);
    }
    assert.deepEqual(names.filter((n) => /edges\.\d+\..*bn\.(weight|bias)$/.test(n)), [], "cell BNs have no affine parameters");
  });

  it("draws each of the K copies of every searchable weight on its own, within PyTorch's default bound 1/sqrt(fan_in)", () => {
    const net = new Nb201Supernet({ C: 8, N: 1, inChannels: 1, classes: 10 }, kshotWeights(4), new Rng(3));
    const thetas = net.namedParameters().filter(([n]) => n.endsWith("theta"));
    assert.ok(thetas.length >= 12, `${thetas.length} K-shot weights`);
    for (const [name, t] of thetas) {
      assert.equal(t.shape[0], 4, name);
      const v = vals(t), per = v.length / 4;
      const fanIn = per / t.shape[1]!; // [K, cout, cin, kh, kw]: cin * kh * kw
      for (const x of v) assert.ok(Math.abs(x) <= 1 / Math.sqrt(fanIn) + 1e-7, `${name}: ${x} beyond 1/sqrt(${fanIn})`);
      for (let a = 0; a < 4; a++) for (let b = a + 1; b < 4; b++) {
        const same = v.slice(a * per, (a + 1) * per).filter((x, i) => x === v[b * per + i]).length;
        assert.ok(same < per / 10, `${name}: copies ${a} and ${b} share ${same} of ${per} values`);
      }
    }
  });
});

const SMALL = { C: 4, N: 1, inChannels: 1, classes: 10 };
const space = new Nb201Space({ ...SMALL, height: 28, width: 28 });
const data = head(loadMnistSplit(EMBEDDED_FASHION_MNIST, "train", "fashion-mnist"), 64);
const recipe = DATA_RECIPES["fashion-mnist"];

function trainer(make: "kshot1" | "shared" | number, mode: SupernetOptions["mode"], seed: number, epochs = 1, warmupEpochs = 0, more: Partial<SupernetOptions> = {}) {
  const rng = new Rng(seed);
  const K = typeof make === "number" ? make : 1;
  const supernet = new Nb201Supernet(SMALL, make === "shared" ? sharedWeights : kshotWeights(K), rng);
  const simplex = new SimplexNet(oneHotSize(space, "op"), 0, K, rng, 16);
  return new SupernetTrainer(space, supernet, simplex, data, recipe,
    { ...DEFAULT_SUPERNET_OPTIONS, mode, K, epochs, warmupEpochs, batchSize: 16, m: 4, simplexBatch: 64, ...more }, new Rng(seed + 1));
}

/** The batch size of every path forward the trainer makes from now on. */
function recordBatches(t: SupernetTrainer): number[] {
  const images: number[] = [];
  const forward = t.supernet.forwardPath.bind(t.supernet);
  t.supernet.forwardPath = (x, genes, lambda) => { images.push(x.shape[0]!); return forward(x, genes, lambda); };
  return images;
}

/** One epoch, and after each step its kind and whether it moved the supernet's and the simplex-net's parameters. */
async function epochMoves(t: SupernetTrainer): Promise<[string, boolean, boolean][]> {
  const snapshot = () => [...t.supernet.parameters(), ...t.simplex.parameters()].map((p) => vals(p));
  let before = snapshot();
  const moved: [string, boolean, boolean][] = [];
  await t.runEpoch((r) => {
    const after = snapshot();
    const nSup = t.supernet.parameters().length;
    const changed = after.map((v, i) => v.some((x, j) => x !== before[i]![j]));
    moved.push([r.kind, changed.slice(0, nSup).some(Boolean), changed.slice(nSup).some(Boolean)]);
    before = after;
  });
  return moved;
}

describe("K-shot supernet training", () => {
  it("K = 1 with lambda = 1 is exactly a one-shot SPOS supernet: identical losses over several steps", async () => {
    const a = trainer("kshot1", "oneshot", 5), b = trainer("shared", "oneshot", 5);
    const la: number[] = [], lb: number[] = [];
    await a.runEpoch((r) => la.push(r.loss));
    await b.runEpoch((r) => lb.push(r.loss));
    assert.equal(la.length, 4);
    assert.deepEqual(la, lb);
  });

  it("after warm-up, kshot mode follows every supernet step with a simplex-net step that moves only the simplex-net, m paths of simplexBatch / m images each", async () => {
    const t = trainer(3, "kshot", 6, 2, 1);
    const images = recordBatches(t); // batch of every path forward
    const kinds: string[] = [];
    await t.runEpoch((r) => kinds.push(r.kind));
    assert.deepEqual(kinds, ["supernet", "supernet", "supernet", "supernet"]);
    const moved = await epochMoves(t);
    const pair: [string, boolean, boolean][] = [["supernet", true, false], ["simplex", false, true]];
    assert.deepEqual(moved, [...pair, ...pair, ...pair, ...pair], "4 batches of 16, each followed by a simplex-net step");
    const simplexStep = [16, 16, 16, 16]; // simplexBatch 64 over m = 4 paths
    assert.deepEqual(images, [16, 16, 16, 16, ...[1, 2, 3, 4].flatMap(() => [16, ...simplexStep])]);
  });

  it("with even-odd alternation (Algorithm 2 as written), odd batches train only the simplex-net, each split over m paths", async () => {
    const t = trainer(3, "kshot", 6, 2, 1, { alternation: "even-odd" });
    await t.runEpoch(); // warm-up: 4 supernet batches, global batches 0..3
    const images = recordBatches(t);
    const moved = await epochMoves(t);
    // global batches 4..7: even, odd, even, odd
    assert.deepEqual(moved, [["supernet", true, false], ["simplex", false, true], ["supernet", true, false], ["simplex", false, true]]);
    assert.deepEqual(images, [16, 4, 4, 4, 4, 16, 4, 4, 4, 4], "an odd batch of 16 images over m = 4 paths");
  });

  it("refuses a simplex-net batch smaller than m or larger than the training images", () => {
    const make = (simplexBatch: number) => () => new SupernetTrainer(space, new Nb201Supernet(SMALL, kshotWeights(2), new Rng(1)),
      new SimplexNet(oneHotSize(space, "op"), 0, 2, new Rng(1), 16), data, recipe,
      { ...DEFAULT_SUPERNET_OPTIONS, mode: "kshot", K: 2, epochs: 1, warmupEpochs: 0, batchSize: 16, m: 4, simplexBatch }, new Rng(2));
    assert.throws(make(3), /expected a simplex-net batch of m = 4 to 64 .* received 3/);
    assert.throws(make(65), /received 65/);
    make(64)();
  });

  it("the baselines never train the simplex-net; fixed codes are 1/K", async () => {
    for (const mode of ["fixed", "random"] as const) {
      const t = trainer(2, mode, 7, 1, 0);
      const before = t.simplex.parameters().map(vals);
      const kinds: string[] = [];
      await t.runEpoch((r) => kinds.push(r.kind));
      assert.ok(kinds.every((k) => k === "supernet"));
      assert.deepEqual(t.simplex.parameters().map(vals), before);
    }
    near(vals(trainer(4, "fixed", 1).code([0, 0, 0, 0, 0, 0], false)), [0.25, 0.25, 0.25, 0.25]);
    assert.throws(() => trainer(2, "oneshot", 1), /mode oneshot means K = 1, received K = 2/);
  });

  it("warm-up trains every path with lambda = 1/K; after it, supernet steps use the simplex-net's codes", async () => {
    const t = trainer(4, "kshot", 5, 2, 1);
    const lambdas: number[][] = [];
    const forward = t.supernet.forwardPath.bind(t.supernet);
    t.supernet.forwardPath = (x, genes, lambda) => { lambdas.push([...lambda.dataSync()]); return forward(x, genes, lambda); };
    await t.runEpoch();
    assert.ok(lambdas.length >= 4);
    for (const l of lambdas) assert.deepEqual(l, [0.25, 0.25, 0.25, 0.25], "warm-up: 1/K, exactly");
    lambdas.length = 0;
    await t.runEpoch();
    const codes = lambdas.filter((l) => l.length === 4);
    assert.ok(codes.some((l) => l.some((v) => Math.abs(v - 0.25) > 1e-3)), "after warm-up the codes are the simplex-net's, not 1/K");
    for (const l of codes) assert.ok(Math.abs(l.reduce((a, b) => a + b, 0) - 1) < 1e-5, "on the simplex");
  });

  it("evaluates a path with batch statistics, leaving running statistics untouched", async () => {
    const t = trainer(2, "kshot", 8);
    await t.runEpoch();
    const genes = space.parse("|nor_conv_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|avg_pool_3x3~0|none~1|nor_conv_3x3~2|");
    const stats = () => t.supernet.namedBuffers().map(([, b]) => vals(b));
    const before = stats();
    const acc = tidy(() => evaluatePath(t.supernet, genes, t.code(genes, false), data, recipe));
    assert.ok(acc >= 0 && acc <= 1);
    assert.deepEqual(stats(), before);
  });

  it("recalibrates BN running statistics for a path from a reset, then evaluates with them", async () => {
    const t = trainer(2, "kshot", 9);
    await t.runEpoch();
    const genes = space.parse("|nor_conv_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|avg_pool_3x3~0|none~1|nor_conv_3x3~2|");
    const code = t.code(genes, false);
    const stats = () => t.supernet.namedBuffers().map(([, b]) => vals(b));
    recalibrate(t.supernet, genes, code, data, recipe, 2, 16);
    const first = stats();
    recalibrate(t.supernet, genes, code, data, recipe, 2, 16);
    assert.deepEqual(stats(), first, "each recalibration starts from reset statistics");
    const acc = evaluatePath(t.supernet, genes, code, data, recipe, 256, "running");
    assert.ok(acc >= 0 && acc <= 1);
    assert.deepEqual(stats(), first, "evaluation with running statistics changes none");
  });
});
