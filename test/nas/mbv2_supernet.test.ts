import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Rng, randn, tensor, tidy } from "../../engine/index.js";
import { crossEntropy, grad } from "../../autograd/index.js";
import { Mbv2Space } from "../../nas/mbv2/space.js";
import { Mbv2Supernet } from "../../nas/supernet/mbv2_supernet.js";
import { kshotWeights } from "../../nas/supernet/nb201_supernet.js";
import { buildSupernetSession } from "../../nas/supernet/session.js";
import { DEFAULT_SUPERNET_OPTIONS } from "../../nas/supernet/trainer.js";
import { oneHot } from "../../nas/space.js";
import { EMBEDDED_FASHION_MNIST } from "../../train/datasets.js";

const space = new Mbv2Space({ inChannels: 1, height: 28, width: 28, classes: 10, searchWidth: true });
const net = new Mbv2Supernet(space, kshotWeights(2), new Rng(0));
const x = randn([4, 1, 28, 28], new Rng(1));
const y = tensor([1, 2, 3, 4], [4], "int32");
const lambda = tensor([0.3, 0.7]);
const ops = (op: string) => new Array(21).fill(op).join(",");
const widths = (w: string) => new Array(24).fill(w).join(",");

describe("MobileNetV2-space K-shot supernet", () => {
  it("runs paths of every kind: kernels, expansions, SE, identity with and without projection, narrow widths", () => {
    const archs = [
      `${ops("k3e6")}|${widths("1.0")}`,
      `${ops("k7e3-se")}|${widths("0.2")}`,
      `${ops("id")}|${widths("0.6")}`,
      `${["k5e6-se", "id", "k3e3", "id", "k7e6", ...new Array(16).fill("k5e3")].join(",")}|${widths("0.8")}`,
    ];
    for (const a of archs) {
      tidy(() => {
        const out = net.forwardPath(x, space.parse(a), lambda);
        assert.deepEqual([...out.shape], [4, 10]);
        assert.ok(out.dataSync().every(Number.isFinite), a);
      });
    }
  });

  it("a narrow path reads only the leading channels of the merged weights (ordinal sharing)", () => {
    const genes = space.parse(`${ops("k3e6")}|${widths("0.4")}`);
    const expand = net.namedParameters().find(([n]) => n === "layers.0.k3e6.expand.theta")!;
    const [g] = grad(() => crossEntropy(net.forwardPath(x, genes, lambda), y), [expand[1]]);
    // (the mini macro at 28x28) layer 0 reads the fixed block's round(4 * 0.4) = 2
    // channels and expands them 6x at width 0.4: round(12 * 0.4) = 5 of the 24 expanded channels
    const [K, hid, cin] = g!.shape as [number, number, number];
    const v = g!.dataSync();
    const used = (k: number, r: number, c: number) => v[(k * hid + r) * cin + c] !== 0;
    for (let k = 0; k < K; k++) {
      assert.deepEqual([hid, cin], [24, 4]);
      assert.ok(used(k, 0, 0) && used(k, 4, 1), "leading rows and columns get gradients");
      for (let r = 0; r < hid; r++) for (let c = 0; c < cin; c++) {
        if (r >= 5 || c >= 2) assert.ok(!used(k, r, c), `weight (${r}, ${c}) beyond the width gets none`);
      }
    }
  });

  it("gives each width its own one-hot code for the simplex-net's channel branch", () => {
    const a = oneHot(space, space.parse(`${ops("k3e6")}|${widths("0.4")}`), "width");
    const b = oneHot(space, space.parse(`${ops("k3e6")}|${widths("0.6")}`), "width");
    assert.notDeepEqual([...a], [...b]);
    assert.deepEqual([...oneHot(space, space.parse(`${ops("k3e6")}|${widths("0.4")}`), "op")], [...oneHot(space, space.parse(`${ops("k3e6")}|${widths("0.6")}`), "op")]);
  });

  it("trains with width search: warm-up, then simplex-net steps with r_c", async () => {
    const run = buildSupernetSession({
      ...DEFAULT_SUPERNET_OPTIONS, space: "mbv2", searchWidth: true, mode: "kshot", K: 2, C: 1, N: 1, dataset: "fashion-mnist",
      dataDir: EMBEDDED_FASHION_MNIST, trainLimit: 40, valSize: 8, epochs: 2, warmupEpochs: 1, batchSize: 16, m: 4, simplexBatch: 16, hidden: 16, seed: 3,
    });
    const kinds: string[] = [];
    const losses: number[] = [];
    await run.trainer.runEpoch();
    await run.trainer.runEpoch((r) => { kinds.push(r.kind); losses.push(r.loss); });
    assert.deepEqual(kinds, ["supernet", "simplex", "supernet", "simplex"]); // 32 training images: 2 batches, each followed by a simplex-net step
    assert.ok(losses.every(Number.isFinite));
    run.supernet.dispose();
  });

  it("r_c enters the simplex-net's step scaled by alpha: alpha = 0, 1 and 2 move the simplex-net three different ways", async () => {
    const simplexAfter = async (alpha: number) => {
      const run = buildSupernetSession({
        ...DEFAULT_SUPERNET_OPTIONS, space: "mbv2", searchWidth: true, mode: "kshot", K: 2, C: 1, N: 1, dataset: "fashion-mnist",
        dataDir: EMBEDDED_FASHION_MNIST, trainLimit: 40, valSize: 8, epochs: 2, warmupEpochs: 1, batchSize: 16, m: 4, simplexBatch: 16, hidden: 16, seed: 3, alpha,
      });
      await run.trainer.runEpoch();
      await run.trainer.runEpoch();
      const values = run.simplex.parameters().flatMap((p) => [...p.dataSync()]);
      run.supernet.dispose();
      return values;
    };
    const [withRc, without, doubled] = [await simplexAfter(1), await simplexAfter(0), await simplexAfter(2)];
    const differing = (a: number[], b: number[]) => a.filter((v, i) => Math.abs(v - b[i]!) > 1e-7).length;
    assert.ok(differing(withRc, without) > withRc.length / 10, `alpha 1 against 0: ${differing(withRc, without)} of ${withRc.length} simplex-net values differ`);
    assert.ok(differing(doubled, withRc) > withRc.length / 10, `alpha 2 against 1: ${differing(doubled, withRc)} of ${withRc.length} simplex-net values differ`);
  });
});
