import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Rng } from "../../engine/index.js";
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
