import type { Rng, Tensor } from "../../engine/index.js";
import { add, relu } from "../../autograd/index.js";
import { Module } from "../../autograd/nn/module.js";
import { AvgPool2d, BatchNorm2d, Conv2d, GlobalAvgPool, Identity, Linear, ReLU, Sequential, Zero } from "../../autograd/nn/layers.js";
import { parseNb201, type Nb201Arch, type Nb201Op } from "./arch.js";

// A NAS-Bench-201 architecture as a stand-alone network, laid out and named
// as the official TinyNetwork (xautodl): stem conv3x3 + BN; N cells at C;
// a residual reduction block to 2C; N cells; a reduction to 4C; N cells;
// BN + ReLU; global pooling; linear classifier.

export interface Nb201Config {
  C: number;
  N: number;
  inChannels: number;
  classes: number;
}

/**
 * ReLU -> Conv (no bias) -> BN, the official ReLUConvBN (parameters under
 * `op.1`, `op.2`). Where the next layer's ReLU follows directly (the
 * residual block's conv_a -> conv_b), it moves into this BN (`reluOut`,
 * fused) and the next one starts without it (`reluIn: false`).
 */
class ReLUConvBN extends Module {
  private readonly op: Sequential;
  constructor(cin: number, cout: number, k: number, stride: number, pad: number, rng: Rng, fuse: { reluIn?: boolean; reluOut?: boolean } = {}) {
    super();
    this.op = this.registerModule("op", new Sequential(fuse.reluIn === false ? Identity() : ReLU(),
      new Conv2d(cin, cout, k, rng, { stride, padding: pad, bias: false }), new BatchNorm2d(cout, fuse.reluOut ? { activation: "relu" } : {})));
  }
  forward(x: Tensor): Tensor {
    return this.op.forward(x);
  }
}

/** A cell's edge op; its convolutions start without their ReLU, which the cell applies (InferCell). */
function edgeOp(op: Nb201Op, c: number, rng: Rng): Module {
  switch (op) {
    case "none": return Zero();
    case "skip_connect": return Identity();
    case "nor_conv_1x1": return new ReLUConvBN(c, c, 1, 1, 0, rng, { reluIn: false });
    case "nor_conv_3x3": return new ReLUConvBN(c, c, 3, 1, 1, rng, { reluIn: false });
    case "avg_pool_3x3": return AvgPool2d(3, { stride: 1, padding: 1, countIncludePad: false });
  }
}

/**
 * Every edge is built, even one fed only by `none` edges, as in the official
 * InferCell. The official cell's convolutions each start with a ReLU of
 * their input; here the convolutions leaving one node share one ReLU of it:
 * the same function and gradient (a ReLU's mask is 0 or 1, so masking the
 * summed gradient once equals summing the masked ones, up to the order of
 * the floating-point sum), for less work.
 */
class InferCell extends Module {
  private readonly layers: Module[];
  constructor(private readonly arch: Nb201Arch, c: number, rng: Rng) {
    super();
    const list = this.registerModule("layers", new Sequential(...arch.map((e) => edgeOp(e.op, c, rng))));
    this.layers = list.namedChildren().map(([, m]) => m);
  }
  forward(x: Tensor): Tensor {
    const nodes = [x];
    const relued: Tensor[] = [];
    for (const to of [1, 2, 3]) {
      let sum: Tensor | null = null;
      this.arch.forEach((e, i) => {
        if (e.to !== to) return;
        const layer = this.layers[i]!;
        // edgeOp builds the conv edges without their ReLU
        const y = layer.forward(layer instanceof ReLUConvBN ? (relued[e.from] ??= relu(nodes[e.from]!)) : nodes[e.from]!);
        sum = sum === null ? y : add(sum, y);
      });
      nodes.push(sum!);
    }
    return nodes[3]!;
  }
}

/** The official ResNetBasicblock with stride 2: two ReLUConvBN plus an avg-pool + 1x1 conv shortcut. */
class ResNetBasicBlock extends Module {
  private readonly convA: ReLUConvBN;
  private readonly convB: ReLUConvBN;
  private readonly downsample: Sequential;
  constructor(cin: number, cout: number, rng: Rng) {
    super();
    this.convA = this.registerModule("conv_a", new ReLUConvBN(cin, cout, 3, 2, 1, rng, { reluOut: true }));
    this.convB = this.registerModule("conv_b", new ReLUConvBN(cout, cout, 3, 1, 1, rng, { reluIn: false }));
    this.downsample = this.registerModule("downsample", new Sequential(
      AvgPool2d(2, { stride: 2, padding: 0 }), new Conv2d(cin, cout, 1, rng, { bias: false })));
  }
  forward(x: Tensor): Tensor {
    return add(this.downsample.forward(x), this.convB.forward(this.convA.forward(x)));
  }
}

export class Nb201Network extends Module {
  private readonly stem: Sequential;
  private readonly cells: Module[];
  private readonly lastact: Sequential;
  private readonly pooling: Module;
  private readonly classifier: Linear;

  constructor(arch: Nb201Arch | string, readonly config: Nb201Config, rng: Rng) {
    super();
    const cell = typeof arch === "string" ? parseNb201(arch) : arch;
    const { C, N, inChannels, classes } = config;
    for (const [k, v] of Object.entries(config)) {
      if (!(Number.isInteger(v) && v > 0)) throw new Error(`NAS-Bench-201 network: expected a positive integer ${k}, received ${v}`);
    }
    this.stem = this.registerModule("stem", new Sequential(new Conv2d(inChannels, C, 3, rng, { padding: 1, bias: false }), new BatchNorm2d(C)));
    const cells: Module[] = [];
    let cPrev = C;
    for (const [stage, c] of [C, 2 * C, 4 * C].entries()) {
      if (stage > 0) cells.push(new ResNetBasicBlock(cPrev, c, rng));
      for (let i = 0; i < N; i++) cells.push(new InferCell(cell, c, rng));
      cPrev = c;
    }
    const list = this.registerModule("cells", new Sequential(...cells));
    this.cells = list.namedChildren().map(([, m]) => m);
    this.lastact = this.registerModule("lastact", new Sequential(new BatchNorm2d(cPrev, { activation: "relu" })));
    this.pooling = this.registerModule("global_pooling", GlobalAvgPool());
    this.classifier = this.registerModule("classifier", new Linear(cPrev, classes, rng));
  }

  forward(x: Tensor): Tensor {
    let h = this.stem.forward(x);
    for (const c of this.cells) h = c.forward(h);
    return this.classifier.forward(this.pooling.forward(this.lastact.forward(h)));
  }
}
