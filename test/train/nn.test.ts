import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Rng, tensor, zeros } from "../../engine/index.js";
import { BatchNorm2d, Conv2d, Linear, ReLU, Sequential } from "../../autograd/nn/layers.js";

describe("modules", () => {
  it("name parameters and buffers as PyTorch does", () => {
    const rng = new Rng(0);
    const net = new Sequential(new Conv2d(3, 4, 3, rng, { padding: 1, bias: false }), new BatchNorm2d(4), ReLU(), new Linear(4, 2, rng));
    assert.deepEqual([...net.stateDict().keys()], ["0.weight", "1.weight", "1.bias", "3.weight", "3.bias", "1.running_mean", "1.running_var"]);
    assert.equal(net.numParameters(), 4 * 3 * 9 + 4 + 4 + 8 + 2);
  });

  it("initialise conv and linear weights as PyTorch: U(-1/sqrt(fan_in), 1/sqrt(fan_in)); BN weight 1, bias 0", () => {
    const rng = new Rng(1);
    const conv = new Conv2d(16, 32, 3, rng);
    const bound = 1 / Math.sqrt(16 * 9);
    const w = conv.weight.dataSync() as Float32Array;
    assert.ok(w.every((v) => Math.abs(v) <= bound));
    const meanSq = w.reduce((s, v) => s + v * v, 0) / w.length;
    assert.ok(Math.abs(meanSq - bound ** 2 / 3) < 0.1 * bound ** 2 / 3, "variance of a uniform");
    assert.ok(conv.bias!.dataSync().every((v) => Math.abs(v) <= bound));
    const lin = new Linear(100, 10, rng);
    assert.ok(lin.weight.dataSync().every((v) => Math.abs(v) <= 0.1));
    const bn = new BatchNorm2d(3);
    assert.deepEqual([...bn.gamma!.dataSync(), ...bn.beta!.dataSync()], [1, 1, 1, 0, 0, 0]);
  });

  it("loadStateDict checks names, shapes and dtypes, naming the first mismatch", () => {
    const rng = new Rng(2);
    const net = new Sequential(new Linear(3, 2, rng));
    const good = new Map([["0.weight", zeros([2, 3])], ["0.bias", tensor([5, 6])]]);
    net.loadStateDict(good);
    assert.deepEqual([...net.stateDict().get("0.bias")!.dataSync()], [5, 6]);
    assert.throws(() => net.loadStateDict(new Map([["0.weight", zeros([2, 3])]])), /missing tensor '0.bias'/);
    assert.throws(() => net.loadStateDict(new Map([["0.weight", zeros([3, 2])], ["0.bias", zeros([2])]])),
      /loadStateDict: expected '0.weight' as float32 \[2, 3\], received float32 \[3, 2\]/);
    assert.throws(() => net.loadStateDict(new Map([...good, ["extra", zeros([1])]])), /unexpected tensor 'extra'/);
    assert.throws(() => net.loadStateDict(new Map([["0.weight", zeros([2, 3])], ["0.bias", zeros([2], "int32")]])), /as float32 \[2\], received int32 \[2\]/);
  });
});
