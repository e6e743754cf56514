import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Rng } from "../../engine/index.js";
import { mbv2Cost, torchvisionMobileNetV2 } from "../../nas/mbv2/blocks.js";
import { Mbv2Space } from "../../nas/mbv2/space.js";
import { Nb201Network } from "../../nas/nb201/network.js";
import { Nb201Space } from "../../nas/nb201/space.js";
import { countMacs } from "../../autograd/nn/layers.js";
import { oneHot, oneHotSize, sampleGenes } from "../../nas/space.js";

const cifar = new Nb201Space({ C: 16, N: 5, inChannels: 3, classes: 10, height: 32, width: 32 });

describe("NAS-Bench-201 cost counting", () => {
  it("reproduces the benchmark's published range over all 15,625 architectures on CIFAR-10", () => {
    let minF = Infinity, maxF = -Infinity, minP = Infinity, maxP = -Infinity, n = 0;
    for (const g of cifar.all()) {
      const c = cifar.cost(g);
      minF = Math.min(minF, c.nb201Mflops); maxF = Math.max(maxF, c.nb201Mflops);
      minP = Math.min(minP, c.params); maxP = Math.max(maxP, c.params);
      n++;
    }
    assert.equal(n, 15625);
    assert.equal(minF.toFixed(5), "7.78305");
    assert.equal(maxF.toFixed(5), "220.11969");
    assert.equal(minP, 73306);
    assert.equal(maxP, 1531546);
  });

  it("counts the published example architecture at 15.64737 MFLOPs", () => {
    const g = cifar.parse("|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|");
    assert.equal(cifar.cost(g).nb201Mflops.toFixed(5), "15.64737");
  });

  it("agrees with the built network (parameters and MACs traced through a forward pass)", () => {
    const small = new Nb201Space({ C: 4, N: 2, inChannels: 1, classes: 10, height: 12, width: 12 });
    const rng = new Rng(3);
    for (let i = 0; i < 5; i++) {
      const g = sampleGenes(small, rng);
      const net = new Nb201Network(small.format(g), small.config, rng);
      const c = small.cost(g);
      assert.equal(c.params, net.numParameters());
      assert.equal(c.macs, countMacs(net, [1, 1, 12, 12]));
      net.dispose();
    }
  });
});

describe("MobileNetV2 space cost counting", () => {
  it("MobileNetV2-1.0 in torchvision's layout: 3,504,872 params and 300,774,272 MACs", () => {
    const c = mbv2Cost(torchvisionMobileNetV2(), 224, 224);
    assert.equal(c.params, 3504872);
    assert.equal(c.macs, 300774272);
  });

  it("the space with every layer k3e6, no SE, at 224x224 and 1000 classes: 4,708,840 params and 539,944,448 MACs", () => {
    const space = new Mbv2Space({ inChannels: 3, height: 224, width: 224, classes: 1000, searchWidth: true });
    const c = space.cost(space.parse(new Array(21).fill("k3e6").join(",")));
    assert.equal(c.params, 4708840);
    assert.equal(c.macs, 539944448);
  });

  it("parses and formats architectures with widths; malformed strings fail with one line", () => {
    const space = new Mbv2Space({ inChannels: 1, height: 28, width: 28, classes: 10, searchWidth: true });
    const s = `${["k3e6", "k5e3-se", "id", ...new Array(18).fill("k7e6")].join(",")}|${new Array(24).fill("0.6").join(",")}`;
    assert.equal(space.format(space.parse(s)), s);
    assert.throws(() => space.parse("k3e6"), /invalid MobileNetV2-space architecture: 1 layer choices; expected 21/);
    assert.throws(() => space.parse(new Array(21).fill("k9e6").join(",")), /unknown choice 'k9e6'/);
    assert.throws(() => space.parse(`${new Array(21).fill("id").join(",")}|${new Array(24).fill("0.3").join(",")}`), /width '0.3' is off the grid/);
    // narrower expansions cost less; identity costs least
    const full = space.cost(space.parse(new Array(21).fill("k3e6").join(",")));
    const narrow = space.cost(space.parse(`${new Array(21).fill("k3e6").join(",")}|${new Array(24).fill("0.2").join(",")}`));
    assert.ok(narrow.macs < full.macs && narrow.params < full.params);
  });

  it("encodes architectures as one-hot op and width vectors for the simplex-net", () => {
    const space = new Mbv2Space({ inChannels: 1, height: 28, width: 28, classes: 10, searchWidth: true });
    assert.equal(oneHotSize(space, "op"), 21 * 13);
    assert.equal(oneHotSize(space, "width"), 24 * 5);
    const g = sampleGenes(space, new Rng(0));
    const op = oneHot(space, g, "op");
    assert.equal(op.reduce((a, b) => a + b, 0), 21);
    assert.equal(op[13 + g[1]!], 1);
  });
});
