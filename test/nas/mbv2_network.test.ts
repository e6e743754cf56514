import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { noGrad } from "../../autograd/index.js";
import { countMacs } from "../../autograd/nn/layers.js";
import { Rng, tensor, tidy, type Tensor } from "../../engine/index.js";
import { Mbv2Network } from "../../nas/mbv2/network.js";
import { Mbv2Space } from "../../nas/mbv2/space.js";
import { mbv2Cost, type Mbv2Layout } from "../../nas/mbv2/blocks.js";

// The expected numbers come from PyTorch: test/reference/mbv2_torch.py builds
// the same network with torch.nn, fills it with the pattern below and prints
// them (the command is in that file).

/** Values in [-1, 1) from the shader hash frac(43758.5453 * sin(12.9898 * j + seed)), as the reference computes them in float64. */
function noise(n: number, seed: number): number[] {
  return Array.from({ length: n }, (_, j) => {
    const v = Math.sin(12.9898 * j + seed) * 43758.5453;
    return 2 * (v - Math.floor(v)) - 1;
  });
}

/** The reference's fill: hashed noise over the flat index, seeded by the name, scaled by the tensor's role. */
function pattern(name: string, shape: readonly number[]): Tensor {
  const code = [...name].reduce((s, c, i) => s + (i + 1) * c.charCodeAt(0), 0) % 1009;
  const fanIn = shape.slice(1).reduce((a, b) => a * b, 1);
  const v = noise(shape.reduce((a, b) => a * b, 1), code).map((s) => {
    if (name.endsWith("running_var")) return 1 + 0.3 * s;
    if (name.endsWith("running_mean") || name.endsWith("bias")) return 0.1 * s;
    if (shape.length === 1) return 1 + 0.2 * s;
    return (2.5 * s) / Math.sqrt(fanIn);
  });
  return tensor(v, [...shape]);
}

function filled(space: Mbv2Space, arch: string): Mbv2Network {
  const net = new Mbv2Network(space.layout(space.parse(arch)), new Rng(0));
  net.loadStateDict(new Map([...net.stateDict()].map(([n, t]) => [n, pattern(n, t.shape)])));
  return net;
}

const input = (c: number, h: number, w: number) => tensor(noise(2 * c * h * w, 0), [2, c, h, w]);
const near = (a: readonly number[], b: readonly number[], tol: number) =>
  a.forEach((v, i) => assert.ok(Math.abs(v - b[i]!) <= tol * (1 + Math.abs(b[i]!)), `logit ${i}: ${v} vs PyTorch's ${b[i]}`));

// every kind of layer: identity with a projection (layers 4 and 16) and without (1, 7, 10, 13),
// SE at stride 1 and 2, every kernel and expansion, a different width on each layer, and
// stem and fixed block both 2 wide (where only the supernet's layout says the fixed block has no residual)
const MINI_ARCH = "k3e6,id,k5e3-se,k7e6,id,k3e3,k7e3-se,id,k5e6-se,k3e6-se,id,k7e6,k5e3,id,k3e3-se,k7e6-se,id,k5e6,k3e6,k7e3,k5e6-se"
  + "|0.2,0.4,0.4,0.8,0.2,1.0,0.6,0.4,0.8,1.0,0.2,0.6,0.4,1.0,0.8,0.6,0.2,1.0,0.4,0.8,0.6,1.0,0.4,0.8";
const PYTORCH_MINI = {
  params: 173601,
  /** float tensors in the state dict: parameters and running statistics */
  names: 285,
  train: [0.74768955, 0.14218797, -0.39719567, -0.61297911, -1.0689751, 0.48850358, 0.71723515, -0.17978969, -0.52600241, -0.68868887, 0.74361801, -0.20948514, -0.99720216, -0.50060713, -0.55066651, 0.81629413, 0.22625899, -0.10820731, 0.077288166, 0.016517866],
  eval: [2.7390063, 3.6607263, 0.20047784, -2.0619316, -2.9462311, -0.71286702, 1.250242, 2.0866179, -0.24095559, -1.9167465, 2.3574078, 3.2678444, 0.14129454, -1.5176446, -3.1087844, -0.52490878, 1.3082625, 2.6131132, -0.41602722, -1.3128611],
};

describe("stand-alone MobileNetV2-space network against PyTorch", () => {
  const space = new Mbv2Space({ inChannels: 1, height: 28, width: 28, classes: 10, searchWidth: true });

  it("has PyTorch's parameter count, and the cost counter's parameters and MACs", () => {
    const genes = space.parse(MINI_ARCH);
    const net = new Mbv2Network(space.layout(genes), new Rng(0));
    assert.equal(net.numParameters(), PYTORCH_MINI.params);
    assert.equal([...net.stateDict().values()].filter((t) => t.dtype === "float32").length, PYTORCH_MINI.names);
    const cost = space.cost(genes);
    assert.equal(net.numParameters(), cost.params);
    assert.equal(countMacs(net, [1, 1, 28, 28]), cost.macs);
    net.dispose();
  });

  it("computes PyTorch's logits on copied weights, with batch statistics and with running statistics", () => {
    const net = filled(space, MINI_ARCH);
    const x = input(1, 28, 28);
    const train = noGrad(() => tidy(() => [...net.forward(x).dataSync()]));
    net.dispose();
    const fresh = filled(space, MINI_ARCH); // the training pass moved the running statistics
    fresh.eval();
    const evaluated = noGrad(() => tidy(() => [...fresh.forward(x).dataSync()]));
    near(train, PYTORCH_MINI.train, 1e-4);
    near(evaluated, PYTORCH_MINI.eval, 1e-4);
    fresh.dispose();
  });

  it("the ImageNet macro at 224x224 and 1000 classes: PyTorch's parameter count", () => {
    const imagenet = new Mbv2Space({ inChannels: 3, height: 224, width: 224, classes: 1000, searchWidth: false });
    const net = new Mbv2Network(imagenet.layout(imagenet.parse(MINI_ARCH.split("|")[0]!)), new Rng(0));
    assert.equal(net.numParameters(), PYTORCH_IMAGENET_PARAMS);
    net.dispose();
  });
});

describe("stand-alone MobileNetV2-space network: a layout counted by hand", () => {
  // stem 3x3 1->4 at 8x8; identity stride 2 at 4->4 (a projection: the stride changes); an inverted
  // residual 4->4 stride 2 (no residual: the stride changes), k3, 8 expanded; last 1x1 to 6; 3 classes
  const layout: Mbv2Layout = {
    inChannels: 1, stem: 4, stemStride: 1, last: 6, classes: 3,
    layers: [{ kind: "identity", cin: 4, cout: 4, stride: 2 }, { kind: "ir", cin: 4, cout: 4, kernel: 3, hidden: 8, stride: 2, se: false }],
  };
  // params: stem 36 + BN 8; projection 16 + 8; expand 32 + 16, depthwise 72 + 16, project 32 + 8; last 24 + 12; classifier 18 + 3
  const params = 44 + 24 + 48 + 88 + 40 + 36 + 21;
  // MACs: stem 36 x 64; projection 16 x 16 (4x4); expand 32 x 16; depthwise 72 x 4 and project 32 x 4 (2x2); last 24 x 4; classifier 18
  const macs = 2304 + 256 + 512 + 288 + 128 + 96 + 18;

  it("the counter and the network agree with the hand count, and the network runs", () => {
    const cost = mbv2Cost(layout, 8, 8);
    assert.deepEqual([cost.params, cost.macs], [params, macs]);
    const net = new Mbv2Network(layout, new Rng(0));
    assert.equal(net.numParameters(), params);
    assert.equal(countMacs(net, [1, 1, 8, 8]), macs);
    const out = noGrad(() => tidy(() => [...net.forward(input(1, 8, 8)).shape]));
    assert.deepEqual(out, [2, 3]);
    net.dispose();
  });
});

const PYTORCH_IMAGENET_PARAMS = 5091602;
