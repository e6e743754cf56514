import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Rng, tensor, tidy } from "../../engine/index.js";
import { argMax, assign, noGrad } from "../../autograd/index.js";
import { BatchNorm2d } from "../../autograd/nn/layers.js";
import { batches } from "../../data/batches.js";
import { head } from "../../data/dataset.js";
import { loadMnistSplit } from "../../data/mnist.js";
import { parseNb201 } from "../../nas/nb201/arch.js";
import { Nb201Network } from "../../nas/nb201/network.js";
import { Nb201Space } from "../../nas/nb201/space.js";
import { evaluatePath } from "../../nas/supernet/evaluate.js";
import { Nb201Supernet, kshotWeights } from "../../nas/supernet/nb201_supernet.js";
import { DATA_RECIPES, EMBEDDED_FASHION_MNIST } from "../../train/datasets.js";

// The path evaluator against an independent route: a stand-alone
// NAS-Bench-201 network of the same cell, whose weights are copied from the
// supernet by name, the K copies merged here in plain arithmetic, and which
// is evaluated with batch-statistic BN on the same batches.

const cfg = { C: 4, N: 1, inChannels: 1, classes: 10 };
const K = 3, LAMBDA = [0.2, 0.3, 0.5];
// every op on a live edge: node 2 (a 1x1 conv and a none edge) feeds node 3
// through a 3x3 conv; and every edge live, so that dropping any one of them shows
const ARCHS = [
  "|nor_conv_3x3~0|+|nor_conv_1x1~0|none~1|+|skip_connect~0|avg_pool_3x3~1|nor_conv_3x3~2|",
  "|nor_conv_1x1~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|nor_conv_3x3~0|skip_connect~1|nor_conv_1x1~2|",
];
const recipe = DATA_RECIPES["fashion-mnist"];
const data = head(loadMnistSplit(EMBEDDED_FASHION_MNIST, "test", "fashion-mnist"), 300);

/** The stand-alone network holding the path's weights: theta = sum_k lambda_k theta_k, copied by name. */
function standaloneFrom(supernet: Nb201Supernet, ARCH: string): Nb201Network {
  const net = new Nb201Network(ARCH, cfg, new Rng(99));
  const arch = parseNb201(ARCH);
  const source = new Map(supernet.namedParameters().map(([n, t]) => [n, [...t.dataSync()]]));
  const take = (name: string) => {
    const v = source.get(name);
    assert.ok(v !== undefined, `supernet has no ${name}`);
    return v;
  };
  for (const [name, p] of net.namedParameters()) {
    let values: number[];
    let m: RegExpExecArray | null;
    if ((m = /^cells\.(\d+)\.layers\.(\d+)\.op\.1\.weight$/.exec(name))) {
      const theta = take(`cells.${m[1]}.edges.${m[2]}.${arch[Number(m[2])]!.op}.weight.theta`);
      const per = theta.length / K;
      values = Array.from({ length: per }, (_, j) => LAMBDA.reduce((s, l, k) => s + l * theta[k * per + j]!, 0));
    } else if (/^cells\.\d+\.layers\.\d+\.op\.2\.(weight|bias)$/.test(name)) {
      // the supernet's cell BN has no affine parameters: gamma 1, beta 0, as initialised here
      assert.deepEqual([...new Set(p.dataSync())], [name.endsWith("weight") ? 1 : 0]);
      continue;
    } else {
      const mapped = name.replace(/\.op\.(\d)\./, ".$1.").replace(/^lastact\.0\./, "head.0.").replace(/^classifier\./, "head.3.");
      values = take(mapped);
    }
    assert.equal(values.length, p.size, name);
    assign(p, tensor(values, p.shape));
  }
  return net;
}

describe("path evaluator against a stand-alone network with the merged weights", () => {
  for (const ARCH of ARCHS) it(`gives the same logits, the same accuracy and the same prediction on every image, with batch-statistic BN: ${ARCH}`, () => {
    const supernet = new Nb201Supernet(cfg, kshotWeights(K), new Rng(5));
    const genes = new Nb201Space({ ...cfg, height: 28, width: 28 }).parse(ARCH);
    const lambda = tensor(LAMBDA);
    const net = standaloneFrom(supernet, ARCH);
    net.eval();
    for (const m of net.modules()) if (m instanceof BatchNorm2d) m.evalWithBatchStats = true;
    supernet.eval();
    supernet.useBatchStatsInEval(true);
    let correct = 0;
    const refPred: number[] = [];
    noGrad(() => {
      for (const { x, y } of batches(data, { batchSize: 100, mean: recipe.mean, std: recipe.std })) {
        tidy(() => {
          const ref = net.forward(x), got = supernet.forwardPath(x, genes, lambda);
          const [r, g] = [ref.dataSync(), got.dataSync()];
          r.forEach((v, i) => assert.ok(Math.abs(v - g[i]!) < 1e-4 * (1 + Math.abs(v)), `logit ${i}: ${g[i]} vs ${v}`));
          const pred = argMax(ref).dataSync(), labels = y.dataSync();
          pred.forEach((p, i) => { if (p === labels[i]) correct++; refPred.push(p); });
        });
        x.dispose();
        y.dispose();
      }
    });
    supernet.useBatchStatsInEval(false);
    supernet.train();
    assert.equal(evaluatePath(supernet, genes, lambda, data, recipe, 100), correct / data.count);
    // labelled with the reference's own predictions, the evaluator must agree on every image
    const relabelled = { ...data, labels: Int32Array.from(refPred) };
    assert.equal(evaluatePath(supernet, genes, lambda, relabelled, recipe, 100), 1);
  });
});
