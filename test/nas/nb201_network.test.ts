import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Rng, randn, type Tensor } from "../../engine/index.js";
import * as ag from "../../autograd/index.js";
import { formatNb201, parseNb201 } from "../../nas/nb201/arch.js";
import { Nb201Network } from "../../nas/nb201/network.js";
import { countMacs } from "../../autograd/nn/layers.js";

const RECIPE_ARCH = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|";

describe("NAS-Bench-201 network", () => {
  it("the training issue's recipe network: 79,634 parameters and 8,235,456 MACs per 1x28x28 image", () => {
    const net = new Nb201Network(RECIPE_ARCH, { C: 8, N: 1, inChannels: 1, classes: 10 }, new Rng(0));
    assert.equal(net.numParameters(), 79634);
    assert.equal(countMacs(net, [1, 1, 28, 28]), 8235456);
  });

  it("names parameters as the official TinyNetwork", () => {
    const net = new Nb201Network(RECIPE_ARCH, { C: 8, N: 1, inChannels: 1, classes: 10 }, new Rng(0));
    const names = [...net.stateDict().keys()];
    for (const n of ["stem.0.weight", "stem.1.running_var", "cells.0.layers.0.op.1.weight", "cells.1.conv_a.op.1.weight",
      "cells.1.conv_b.op.2.bias", "cells.1.downsample.1.weight", "lastact.0.weight", "classifier.weight", "classifier.bias"]) {
      assert.ok(names.includes(n), `missing ${n}`);
    }
  });

  // The official cell gives each conv edge its own ReLU; this one shares a
  // node's ReLU among its conv edges. Against the official composition,
  // written here from the primitives with the cell's own weights:
  it("a cell computes the official InferCell (a ReLU per conv edge): output and input gradient", async () => {
    const arch = "|nor_conv_3x3~0|+|nor_conv_1x1~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_1x1~1|avg_pool_3x3~2|";
    const net = new Nb201Network(arch, { C: 4, N: 1, inChannels: 3, classes: 10 }, new Rng(3));
    const cell = net.namedChildren().find(([n]) => n === "cells")![1].namedChildren()[0]![1];
    const state = net.stateDict();
    const edges = parseNb201(arch);
    const official = (x: Tensor): Tensor => {
      const nodes = [x];
      for (const to of [1, 2, 3]) {
        const terms = edges.flatMap((e, i) => {
          if (e.to !== to) return [];
          const input = nodes[e.from]!, at = `cells.0.layers.${i}.op`;
          if (e.op === "skip_connect") return [input];
          if (e.op === "avg_pool_3x3") return [ag.avgPool2d(input, 3, { stride: 1, padding: 1, countIncludePad: false })];
          const k = e.op === "nor_conv_3x3" ? 3 : 1;
          const y = ag.conv2d(ag.relu(input), state.get(`${at}.1.weight`)!, { padding: (k - 1) / 2 });
          return [ag.batchNorm(y, { mode: "batch-stats", gamma: state.get(`${at}.2.weight`)!, beta: state.get(`${at}.2.bias`)! })];
        });
        nodes.push(terms.reduce((a, b) => ag.add(a, b)));
      }
      return nodes[3]!;
    };
    const rng = new Rng(4);
    const x = randn([2, 4, 6, 6], rng), dy = randn([2, 4, 6, 6], rng);
    const [got, want] = [await cell.forward(x).data(), await official(x).data()];
    want.forEach((v, i) => assert.ok(Math.abs(got[i]! - v) < 1e-5, `output ${i}: ${got[i]} vs ${v}`));
    const [gGot] = ag.grad(() => ag.sum(ag.mul(cell.forward(x), dy)), [x]), [gWant] = ag.grad(() => ag.sum(ag.mul(official(x), dy)), [x]);
    const [a, b] = [await gGot!.data(), await gWant!.data()];
    b.forEach((v, i) => assert.ok(Math.abs(a[i]! - v) < 1e-4, `gradient ${i}: ${a[i]} vs ${v}`));
  });

  it("builds every edge, even one fed only by `none` edges", () => {
    const cfg = { C: 4, N: 1, inChannels: 3, classes: 10 };
    const allNone = new Nb201Network("|none~0|+|none~0|none~1|+|none~0|none~1|none~2|", cfg, new Rng(0)).numParameters();
    const deadConv = new Nb201Network("|none~0|+|none~0|nor_conv_3x3~1|+|none~0|none~1|none~2|", cfg, new Rng(0)).numParameters();
    // one conv3x3 (no bias) + BN (gamma, beta) per cell, at 4, 8 and 16 channels
    assert.equal(deadConv - allNone, [4, 8, 16].reduce((s, c) => s + c * c * 9 + 2 * c, 0));
  });

  it("parses and formats architecture strings; malformed ones fail with what was expected", () => {
    assert.equal(formatNb201(parseNb201(RECIPE_ARCH)), RECIPE_ARCH);
    assert.deepEqual(parseNb201(RECIPE_ARCH)[3], { from: 0, to: 3, op: "skip_connect" });
    assert.throws(() => parseNb201("|conv~0|+|none~0|none~1|+|none~0|none~1|none~2|"), /unknown op 'conv'; expected \|op~0\|\+\|op~0\|op~1\|/);
    assert.throws(() => parseNb201("|none~0|+|none~0|+|none~0|none~1|none~2|"), /group 2 has 1 edges, expected 2/);
    assert.throws(() => parseNb201("|none~0|+|none~0|none~1|"), /2 node groups/);
    assert.throws(() => parseNb201("|none~1|+|none~0|none~1|+|none~0|none~1|none~2|"), /edge 'none~1' should come from node 0/);
    const form = "expected |op~0|+|op~0|op~1|+|op~0|op~1|op~2| with ops from none, skip_connect, nor_conv_1x1, nor_conv_3x3, avg_pool_3x3";
    const fails = (s: string, what: string) => assert.throws(() => parseNb201(s), { message: `invalid NAS-Bench-201 architecture '${s}': ${what}; ${form}` });
    fails("none~0|+|none~0|none~1|+|none~0|none~1|none~2|", "group 1 is not enclosed in '|'");
    fails("|none~0|+|none~0|none~1+|none~0|none~1|none~2|", "group 2 is not enclosed in '|'");
    fails("|none~0|+|none~0|none~1|+|none~0|none~1|none~2|+|none~0|", "4 node groups");
    fails("|none~0|+|none~0|none~1|+|none~0|none~1|", "group 3 has 2 edges, expected 3");
    fails("|none0|+|none~0|none~1|+|none~0|none~1|none~2|", "edge 'none0' is not op~node");
    fails("|none~0~0|+|none~0|none~1|+|none~0|none~1|none~2|", "edge 'none~0~0' is not op~node");
    fails("|none~0|+|none~0|none~1|+|none~0|none~1|none~3|", "edge 'none~3' should come from node 2");
    fails("|none~0|+|none~0|none~1|+|none~0|none~1|~2|", "unknown op ''");
  });
});
