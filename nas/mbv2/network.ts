import type { Rng, Tensor } from "../../engine/index.js";
import { add, globalAvgPool, hardSigmoid, mean, mul, relu6, reshape } from "../../autograd/index.js";
import { Module } from "../../autograd/nn/module.js";
import { BatchNorm2d, Conv2d, Linear } from "../../autograd/nn/layers.js";
import { seChannels, topWidth, type Mbv2Layer, type Mbv2Layout } from "./blocks.js";

// One MobileNetV2-space architecture (operations and widths) as a stand-alone
// network, the same computation as its path through the supernet but with
// PyTorch's usual layers: affine BN with running statistics, ReLU6 fused into
// the BN before it. The same blocks as the cost counter (blocks.ts), so its
// parameter count is the counter's; test/reference/mbv2_torch.py builds the
// same network in PyTorch, names and order included.

/** conv (no bias) + BN, ReLU6 fused into the BN where `relu6`. Parameters `conv.weight`, `bn.*`. */
class ConvBn extends Module {
  private readonly conv: Conv2d;
  private readonly bn: BatchNorm2d;
  constructor(cin: number, cout: number, k: number, rng: Rng, o: { stride?: number; groups?: number; relu6?: boolean } = {}) {
    super();
    this.conv = this.registerModule("conv", new Conv2d(cin, cout, k, rng, { stride: o.stride ?? 1, padding: (k - 1) / 2, groups: o.groups ?? 1, bias: false }));
    this.bn = this.registerModule("bn", new BatchNorm2d(cout, o.relu6 ? { activation: "relu6" } : {}));
  }
  forward(x: Tensor): Tensor { return this.bn.forward(this.conv.forward(x)); }
}

/** Squeeze-and-excitation as the supernet's: mean, 1x1 (as linear) + ReLU6, 1x1 + hard sigmoid, channel gate. */
class SqueezeExcite extends Module {
  private readonly reduce: Linear;
  private readonly expand: Linear;
  constructor(private readonly hidden: number, rng: Rng) {
    super();
    const r = seChannels(hidden);
    this.reduce = this.registerModule("reduce", new Linear(hidden, r, rng));
    this.expand = this.registerModule("expand", new Linear(r, hidden, rng));
  }
  forward(x: Tensor): Tensor {
    const gate = hardSigmoid(this.expand.forward(relu6(this.reduce.forward(mean(x, [2, 3])))));
    return mul(x, reshape(gate, [gate.shape[0]!, this.hidden, 1, 1]));
  }
}

/** An inverted residual (expansion 1x1, depthwise k x k, optional SE, projection), or identity with its projection. */
class Block extends Module {
  private readonly body: Module[] = [];
  readonly residual: boolean;
  constructor(l: Mbv2Layer, rng: Rng, o: { residual: boolean }) {
    super();
    if (l.kind === "identity") {
      if (l.stride !== 1 || l.cin !== l.cout) this.body.push(this.registerModule("project", new ConvBn(l.cin, l.cout, 1, rng, { stride: l.stride })));
      this.residual = false;
      return;
    }
    if (l.hidden !== l.cin) this.body.push(this.registerModule("expand", new ConvBn(l.cin, l.hidden, 1, rng, { relu6: true })));
    this.body.push(this.registerModule("depthwise", new ConvBn(l.hidden, l.hidden, l.kernel, rng, { stride: l.stride, groups: l.hidden, relu6: true })));
    if (l.se) this.body.push(this.registerModule("se", new SqueezeExcite(l.hidden, rng)));
    this.body.push(this.registerModule("project", new ConvBn(l.hidden, l.cout, 1, rng)));
    this.residual = o.residual && l.stride === 1 && l.cin === l.cout;
  }
  forward(x: Tensor): Tensor {
    const y = this.body.reduce((h, m) => m.forward(h), x);
    return this.residual ? add(x, y) : y;
  }
}

export class Mbv2Network extends Module {
  private readonly stem: ConvBn;
  private readonly blocks: Block[];
  private readonly last: ConvBn;
  private readonly classifier: Linear;

  /** Built in PyTorch's order: stem, fixed block, the 21 layers, last conv, classifier. */
  constructor(readonly layout: Mbv2Layout, rng: Rng) {
    super();
    this.stem = this.registerModule("stem", new ConvBn(layout.inChannels, layout.stem, 3, rng, { stride: layout.stemStride, relu6: true }));
    // the fixed block (layers[0]) has no residual, as in the supernet
    this.blocks = layout.layers.map((l, i) => this.registerModule(`blocks.${i}`, new Block(l, rng, { residual: i > 0 })));
    this.last = this.registerModule("last", new ConvBn(topWidth(layout), layout.last, 1, rng, { relu6: true }));
    this.classifier = this.registerModule("classifier", new Linear(layout.last, layout.classes, rng));
  }

  forward(x: Tensor): Tensor {
    let h = this.stem.forward(x);
    for (const b of this.blocks) h = b.forward(h);
    return this.classifier.forward(globalAvgPool(this.last.forward(h)));
  }
}
