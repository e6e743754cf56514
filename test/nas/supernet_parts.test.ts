// The supernet's parts on hand cases, without training: K-shot weights, the
// simplex-net, the code each mode gives a path, and r_c with its pairs.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { near, vals } from "../helpers/near.js";
import { Rng, engine, tensor } from "../../engine/index.js";
import { kaimingUniformDefault } from "../../autograd/nn/init.js";
import { assign, grad, mul, sum } from "../../autograd/index.js";
import { Mbv2Space } from "../../nas/mbv2/space.js";
import { Nb201Space } from "../../nas/nb201/space.js";
import { oneHot, oneHotSize, sampleGenes, type SearchSpace } from "../../nas/space.js";
import { KShotWeight, SharedWeight } from "../../nas/supernet/kshot_weight.js";
import { pathCode, simplexCodes } from "../../nas/supernet/path_code.js";
import { channelRegularizer, rcPairs } from "../../nas/supernet/regularizer.js";
import { SimplexNet, stackOneHots } from "../../nas/supernet/simplex_net.js";
import { DEFAULT_SUPERNET_OPTIONS } from "../../nas/supernet/trainer.js";


describe("K-shot weights", () => {
  it("merge theta = sum_k lambda_k theta_k, with gradients to every theta_k and to lambda (K = 3, by hand)", () => {
    const w = new KShotWeight([2], 3, 1, new Rng(0));
    assign(w.theta, tensor([1, 2, 3, 4, 5, 6], [3, 2]));
    const lambda = tensor([0.2, 0.3, 0.5]);
    near(vals(w.weight(lambda)), [0.2 * 1 + 0.3 * 3 + 0.5 * 5, 0.2 * 2 + 0.3 * 4 + 0.5 * 6]);
    const c = tensor([10, -1]);
    const [dTheta, dLambda] = grad(() => sum(mul(w.weight(lambda), c)), [w.theta, lambda]);
    // L = sum_j c_j sum_k lambda_k theta_kj
    near(vals(dTheta!), [2, -0.2, 3, -0.3, 5, -0.5]);
    near(vals(dLambda!), [1 * 10 - 2, 3 * 10 - 4, 5 * 10 - 6]);
  });
});

describe("K-shot weights: storage", () => {
  it("hold K copies as one parameter named theta, drawn one after another from the generator, with no copy left behind", () => {
    for (const K of [1, 3]) {
      const before = engine.memory().tensors;
      const w = new KShotWeight([2, 2], K, 4, new Rng(5));
      assert.equal(engine.memory().tensors - before, 1, `K = ${K}: one live tensor, the parameter`);
      assert.deepEqual(w.namedParameters().map(([n]) => n), ["theta"]);
      const rng = new Rng(5);
      const draws = Array.from({ length: K }, () => vals(kaimingUniformDefault([1, 2, 2], 4, rng)));
      assert.deepEqual(vals(w.theta), draws.flat());
      assert.deepEqual([...w.theta.shape], [K, 2, 2]);
      const one = Array.from({ length: K }, (_, k) => (k === K - 1 ? 1 : 0)); // lambda picking the last copy
      assert.deepEqual(vals(w.weight(tensor(one))), draws[K - 1]);
    }
    const shared = new SharedWeight([2, 3], 3, new Rng(0));
    assert.deepEqual(shared.namedParameters().map(([n]) => n), ["theta"]);
  });
});

describe("one-shot weights", () => {
  it("are one copy used as it is, whatever the code", () => {
    const w = new SharedWeight([2, 3], 3, new Rng(0));
    assert.deepEqual([...w.theta.shape], [2, 3]);
    assert.equal(w.weight(), w.theta);
    assert.throws(() => w.forward(), /call weight\(\)/);
    assert.throws(() => new KShotWeight([2], 2, 1, new Rng(0)).forward(), /call weight\(lambda\)/);
  });
});

describe("simplex-net", () => {
  it("as a module, forwards the op one-hots of a net without a channel branch to their codes", () => {
    const net = new SimplexNet(3, 0, 2, new Rng(4), 5);
    const x = tensor([1, 0, 0, 0, 0, 1], [2, 3]);
    assert.deepEqual(vals(net.forward(x)), vals(net.codes(x, null)));
    assert.throws(() => new SimplexNet(3, 2, 2, new Rng(4), 5).forward(x), /this space has width choices/);
  });
  it("puts every code on the simplex, and gradients reach both branches", () => {
    const net = new SimplexNet(6, 4, 3, new Rng(1), 8);
    const rng = new Rng(2);
    const a = tensor(Array.from({ length: 30 }, () => rng.normal()), [5, 6]);
    const c = tensor(Array.from({ length: 20 }, () => rng.normal()), [5, 4]);
    const codes = net.codes(a, c);
    assert.deepEqual([...codes.shape], [5, 3]);
    const v = vals(codes);
    for (let i = 0; i < 5; i++) {
      assert.ok(Math.abs(v[3 * i]! + v[3 * i + 1]! + v[3 * i + 2]! - 1) < 1e-6);
      assert.ok(v.slice(3 * i, 3 * i + 3).every((x) => x > 0));
    }
    const params = net.parameters();
    const gs = grad(() => sum(mul(net.codes(a, c), tensor([1, 0, -1, 0, 2, 0, 0, 0, 1, 1, 1, 1, 3, 0, 0], [5, 3]))), params);
    for (const g of gs) assert.ok(vals(g).some((x) => x !== 0));
    assert.throws(() => net.codes(a, null), /pass their one-hot encoding/);
  });
});

describe("r_c", () => {
  it("matches a hand computation on three codes with one positive pair", () => {
    const lam = [[0.5, 0.5], [0.9, 0.1], [0.2, 0.8]];
    const codes = tensor(lam.flat(), [3, 2]);
    // L1 width distances: d(0,1) = 0.4 (< 1: a positive pair), d(0,2) = d(1,2) = 1.2
    const widths = [[1.0, 0.6], [0.8, 0.4], [0.2, 1.0]];
    const tau = 0.3;
    const s = (i: number, j: number) => (lam[i]![0]! * lam[j]![0]! + lam[i]![1]! * lam[j]![1]!) / tau;
    // Eq. 15 as written: P(c_i | c_k) = e^{s_ik} / (e^{s_ik} + sum_{j != k} e^{s_ij}), j over all n codes (the anchor i too)
    const p = (i: number, k: number) => Math.exp(s(i, k)) / (Math.exp(s(i, k)) + [0, 1, 2].filter((j) => j !== k).reduce((t, j) => t + Math.exp(s(i, j)), 0));
    const r01 = -Math.log(p(0, 1)), r10 = -Math.log(p(1, 0));
    near([channelRegularizer(codes, widths, tau, 1.0).item()], [(r01 + r10) / 2]);
    assert.equal(channelRegularizer(codes, widths, tau, 0.1).item(), 0, "no pair under the threshold");
    // a distance equal to the threshold is not under it (widths exact in binary: d(0,1) = 0.5)
    const exact = [[1, 0.5], [0.75, 0.25], [0, 1]];
    assert.equal(channelRegularizer(codes, exact, tau, 0.5).item(), 0);
    near([channelRegularizer(codes, exact, tau, 0.5000001).item()], [(r01 + r10) / 2]);
  });
});

describe("simplex-net by hand", () => {
  it("is softmax(out(relu(arch(a) + channel(c)))) on hand weights", () => {
    const net = new SimplexNet(2, 1, 2, new Rng(0), 2);
    const [aw, ab, cw, cb, ow, ob] = net.parameters();
    assign(aw!, tensor([1, 0, 0, -1], [2, 2])); assign(ab!, tensor([0.5, 0]));
    assign(cw!, tensor([2, 1], [2, 1])); assign(cb!, tensor([0, -3]));
    assign(ow!, tensor([1, 0, 1, 1], [2, 2])); assign(ob!, tensor([0, 0.25]));
    const a = [1, 2], c = [0.5];
    const h = [Math.max(0, a[0]! + 0.5 + 2 * c[0]!), Math.max(0, -a[1]! + c[0]! - 3)]; // [2.5, 0]: the second clipped
    const z = [h[0]!, h[0]! + h[1]! + 0.25];
    const e = z.map(Math.exp), total = e[0]! + e[1]!;
    near(vals(net.codes(tensor(a, [1, 2]), tensor(c, [1, 1]))), [e[0]! / total, e[1]! / total]);
    assert.deepEqual(net.namedParameters().map(([n]) => n), ["arch_branch.weight", "arch_branch.bias", "channel_branch.weight", "channel_branch.bias", "out.weight", "out.bias"]);
    assert.deepEqual(vals(stackOneHots([Float32Array.of(1, 0), Float32Array.of(0, 1)])), [1, 0, 0, 1]);
  });
});

describe("the code of a path", () => {
  const space = new Nb201Space({ C: 4, N: 1, inChannels: 1, classes: 10, height: 28, width: 28 });
  const simplex = new SimplexNet(oneHotSize(space, "op"), 0, 4, new Rng(3), 8);
  const genes = [1, 2, 3, 4, 0, 1];
  const own = vals(simplex.codes(stackOneHots([oneHot(space, genes, "op")]), null));
  it("is 1/K in warm-up and in fixed mode, the simplex-net's after warm-up and in random mode, with no gradient", () => {
    near(vals(pathCode("fixed", space, simplex, genes, false)), [0.25, 0.25, 0.25, 0.25]);
    near(vals(pathCode("kshot", space, simplex, genes, true)), [0.25, 0.25, 0.25, 0.25]);
    const code = pathCode("kshot", space, simplex, genes, false);
    near(vals(code), own);
    assert.equal(code.requiresGrad, false);
    assert.ok(Math.abs(own[0]! - 0.25) > 1e-4, "the simplex-net's code is not 1/K here");
    near(vals(pathCode("random", space, simplex, genes, true)), own); // random mode never warms up
    near(vals(simplexCodes(space, simplex, [genes, genes])), [...own, ...own]);
  });
  it("is [1] one-shot", () => {
    const one = new SimplexNet(oneHotSize(space, "op"), 0, 1, new Rng(3), 8);
    assert.deepEqual(vals(pathCode("oneshot", space, one, genes, false)), [1]);
  });
});

describe("r_c's pairs", () => {
  const space = new Mbv2Space({ inChannels: 1, height: 28, width: 28, classes: 10, searchWidth: true });
  it("r_c's pairs: each path beside a partner 3 width steps away, all under the first path's ops", () => {
    const rng = new Rng(9);
    const paths = Array.from({ length: 8 }, () => sampleGenes(space, rng));
    const { variants, widths: w } = rcPairs(space, paths, rng);
    assert.equal(variants.length, 16);
    const opAt = space.genes.map((g, i) => (g.kind === "op" ? i : -1)).filter((i) => i >= 0);
    const widthAt = space.genes.map((g, i) => (g.kind === "width" ? i : -1)).filter((i) => i >= 0);
    for (let j = 0; j < 8; j++) {
      const [anchor, near] = [variants[2 * j]!, variants[2 * j + 1]!];
      for (const i of opAt) assert.equal(anchor[i], paths[0]![i]), assert.equal(near[i], paths[0]![i]);
      for (const i of widthAt) assert.equal(anchor[i], paths[j]![i], "the anchor keeps its widths");
      const moved = widthAt.filter((i) => near[i] !== anchor[i]);
      assert.equal(moved.length, 3, `pair ${j}: ${moved.length} width layers moved`);
      for (const i of moved) assert.equal(Math.abs(near[i]! - anchor[i]!), 1);
      // L1 distance in multipliers: 3 steps of 0.2, under the default threshold 1.0: a positive pair
      const d = w[2 * j]!.reduce((s, x, l) => s + Math.abs(x - w[2 * j + 1]![l]!), 0);
      assert.ok(Math.abs(d - 0.6) < 1e-9 && d < DEFAULT_SUPERNET_OPTIONS.rcThreshold, `pair ${j}: distance ${d}`);
    }
  });
  it("moves a layer at either end of the grid inwards, and one in the middle either way", () => {
    const rng = new Rng(4);
    const paths = Array.from({ length: 60 }, () => sampleGenes(space, rng));
    const { variants } = rcPairs(space, paths, rng);
    const n = 5; // width choices per layer
    let up = 0, down = 0;
    for (let j = 0; j < paths.length; j++) {
      const [anchor, near] = [variants[2 * j]!, variants[2 * j + 1]!];
      anchor.forEach((v, i) => {
        if (space.genes[i]!.kind !== "width" || near[i] === v) return;
        if (v === 0) assert.equal(near[i], 1);
        else if (v === n - 1) assert.equal(near[i], n - 2);
        else if (near[i] === v + 1) up++;
        else down++;
      });
    }
    // 180 moves, about 3/5 of them from the middle: each direction about half of those
    assert.ok(up > 25 && down > 25, `${up} up, ${down} down`);
  });
  it("takes width genes wherever they stand, the first gene included, and three are enough", () => {
    const widthsOnly: SearchSpace = {
      name: "widths", genes: [0, 1, 2].map((l) => ({ name: `w${l}`, kind: "width", choices: ["0.5", "1.0"] })), distinctFunctions: 8,
      format: (g) => g.join(","), parse: (t) => t.split(",").map(Number), functionKey: (g) => g.join(","), cost: () => { throw new Error("not used"); },
    };
    const { variants, widths } = rcPairs(widthsOnly, [[0, 1, 0]], new Rng(0));
    assert.deepEqual(variants, [[0, 1, 0], [1, 0, 1]]); // each of the three layers moves to its other choice
    assert.deepEqual(widths, [[0.5, 1, 0.5], [1, 0.5, 1]]);
  });
  it("refuses codes and widths of different counts, and a space with fewer width genes than a partner moves", () => {
    assert.throws(() => channelRegularizer(tensor([0.5, 0.5], [1, 2]), [[1], [1]], 0.3, 1), { message: "channelRegularizer: 1 codes for 2 width vectors" });
    const opsOnly = new Mbv2Space({ inChannels: 1, height: 28, width: 28, classes: 10, searchWidth: false });
    assert.throws(() => rcPairs(opsOnly, [sampleGenes(opsOnly, new Rng(0))], new Rng(0)), { message: "r_c: the space has 0 width genes, fewer than the 3 a partner moves" });
  });
});
