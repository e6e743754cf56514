import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Rng } from "../../engine/index.js";
import { head } from "../../data/dataset.js";
import { loadMnistSplit } from "../../data/mnist.js";
import { Nb201Network } from "../../nas/nb201/network.js";
import { DATA_RECIPES, EMBEDDED_FASHION_MNIST } from "../../train/datasets.js";
import { trainClassifier } from "../../train/fit.js";

const ARCH = "|nor_conv_3x3~0|+|nor_conv_1x1~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|none~2|";

async function run(seed: number): Promise<{ weights: Buffer[]; losses: number[] }> {
  const data = head(loadMnistSplit(EMBEDDED_FASHION_MNIST, "train", "fashion-mnist"), 96);
  const net = new Nb201Network(ARCH, { C: 4, N: 1, inChannels: 1, classes: 10 }, new Rng(seed));
  const reports = await trainClassifier(net, data, { epochs: 2, batchSize: 32, lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 5e-4 },
    DATA_RECIPES["fashion-mnist"], new Rng(seed + 1));
  const weights = [...net.stateDict().values()].map((t) => Buffer.from(t.dataSync().buffer));
  net.dispose();
  return { weights, losses: reports.map((r) => r.trainLoss) };
}

describe("determinism", () => {
  it("the same seed gives a bit-identical training run; another seed does not", async () => {
    const a = await run(3), b = await run(3), c = await run(4);
    assert.deepEqual(b.losses, a.losses);
    a.weights.forEach((w, i) => assert.ok(w.equals(b.weights[i]!), `tensor ${i} differs`));
    assert.notDeepEqual(c.losses, a.losses);
  });
});
