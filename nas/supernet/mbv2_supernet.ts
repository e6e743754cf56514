import type { Rng, Tensor } from "../../engine/index.js";
import { add, batchNorm, conv2d, globalAvgPool, hardSigmoid, matmul, mean, mul, relu6, reshape, slice } from "../../autograd/index.js";
import { kaimingUniformDefault } from "../../autograd/nn/init.js";
import { Module } from "../../autograd/nn/module.js";
import { ones, zeros } from "../../engine/index.js";
import { seChannels } from "../mbv2/blocks.js";
import { MBV2_OPS, type Mbv2Space } from "../mbv2/space.js";
import type { OpWeight } from "./kshot_weight.js";
import type { WeightFactory } from "./nb201_supernet.js";
import type { Supernet } from "./supernet.js";

// The MobileNetV2-space supernet. Every searchable layer holds its 12
// inverted-residual candidates at the widest expansion and, where stride or
// width changes, the identity's 1x1 projection; their conv weights (SE convs
// and biases included) come from the factory (K-shot copies). A path with a
// narrower width takes the leading channels of the merged weights (the
// ordinal pattern of the paper's Figure 3). The stem, the fixed block, the
// last 1x1 conv and the classifier keep single copies, also sliced to width.
// BN has no affine parameters in searchable layers (as SPOS) and always
// normalises with batch statistics: widths change per path, so running
// statistics would fit none of them.

const takeOut = (w: Tensor, c: number) => (w.shape[0] === c ? w : slice(w, w.shape.map(() => 0), w.shape.map((d, i) => (i === 0 ? c : d))));
const takeIn = (w: Tensor, c: number) => (w.shape[1] === c ? w : slice(w, w.shape.map(() => 0), w.shape.map((d, i) => (i === 1 ? c : d))));
/** Batch-statistic BN, with ReLU6 fused where one follows. */
const bn = (x: Tensor, gamma?: Tensor, beta?: Tensor, activation?: "relu6") => batchNorm(x, { mode: "batch-stats", gamma, beta, activation });

class Fixed extends Module {
  readonly w: Tensor;
  readonly gamma: Tensor;
  readonly beta: Tensor;
  constructor(shape: number[], fanIn: number, rng: Rng) {
    super();
    this.w = this.registerParameter("weight", kaimingUniformDefault(shape, fanIn, rng));
    this.gamma = this.registerParameter("bn_weight", ones([shape[0]!]));
    this.beta = this.registerParameter("bn_bias", zeros([shape[0]!]));
  }
  /** conv with the leading `cout` filters over `cin` inputs, then affine BN (and ReLU6, fused, with `relu6`). */
  apply(x: Tensor, cout: number, o: { stride?: number; groups?: boolean; relu6?: boolean } = {}): Tensor {
    const k = this.w.shape[2]!;
    const cin = x.shape[1]!;
    const w = o.groups ? takeOut(this.w, cin) : takeIn(takeOut(this.w, cout), cin);
    const y = conv2d(x, w, { stride: o.stride ?? 1, padding: (k - 1) / 2, groups: o.groups ? cin : 1 });
    return bn(y, takeOut(this.gamma, o.groups ? cin : cout), takeOut(this.beta, o.groups ? cin : cout), o.relu6 ? "relu6" : undefined);
  }
  forward(x: Tensor): Tensor { return x; }
}

class Candidate extends Module {
  private readonly expand: (OpWeight & Module) | null;
  private readonly dw: OpWeight & Module;
  private readonly se: { reduce: OpWeight & Module; reduceBias: OpWeight & Module; expand: OpWeight & Module; expandBias: OpWeight & Module } | null;
  private readonly project: OpWeight & Module;
  constructor(private readonly cin: number, private readonly cout: number, readonly kernel: number, readonly expansion: number,
    readonly stride: number, useSe: boolean, make: WeightFactory, rng: Rng) {
    super();
    const hid = cin * expansion;
    this.expand = expansion === 1 ? null : this.registerModule("expand", make([hid, cin, 1, 1], cin, rng));
    this.dw = this.registerModule("depthwise", make([hid, 1, kernel, kernel], kernel * kernel, rng));
    if (useSe) {
      const r = seChannels(hid);
      this.se = {
        reduce: this.registerModule("se_reduce", make([r, hid], hid, rng)),
        reduceBias: this.registerModule("se_reduce_bias", make([r], hid, rng)),
        expand: this.registerModule("se_expand", make([hid, r], r, rng)),
        expandBias: this.registerModule("se_expand_bias", make([hid], r, rng)),
      };
    } else {
      this.se = null;
    }
    this.project = this.registerModule("project", make([cout, hid, 1, 1], hid, rng));
  }
  run(x: Tensor, hidden: number, lambda: Tensor): Tensor {
    let h = x;
    if (this.expand) h = bn(conv2d(h, takeIn(takeOut(this.expand.weight(lambda), hidden), x.shape[1]!)), undefined, undefined, "relu6");
    h = bn(conv2d(h, takeOut(this.dw.weight(lambda), hidden), { stride: this.stride, padding: (this.kernel - 1) / 2, groups: hidden }), undefined, undefined, "relu6");
    if (this.se) {
      const r = seChannels(hidden);
      const s = mean(h, [2, 3]); // [N, hidden]
      const wr = takeIn(takeOut(this.se.reduce.weight(lambda), r), hidden), br = takeOut(this.se.reduceBias.weight(lambda), r);
      const z = relu6(add(matmul(s, wr, { transposeB: true }), br));
      const we = takeIn(takeOut(this.se.expand.weight(lambda), hidden), r), be = takeOut(this.se.expandBias.weight(lambda), hidden);
      const gate = hardSigmoid(add(matmul(z, we, { transposeB: true }), be));
      h = mul(h, reshape(gate, [gate.shape[0]!, hidden, 1, 1]));
    }
    const y = bn(conv2d(h, takeIn(this.project.weight(lambda), hidden)));
    return this.stride === 1 && this.cin === this.cout ? add(x, y) : y;
  }
  forward(x: Tensor): Tensor { return x; }
}

class SearchLayer extends Module {
  private readonly candidates: Candidate[];
  private readonly projection: (OpWeight & Module) | null;
  constructor(readonly cin: number, readonly cout: number, readonly stride: number, make: WeightFactory, rng: Rng) {
    super();
    this.candidates = MBV2_OPS.filter((o) => o !== "id").map((o) =>
      this.registerModule(o, new Candidate(cin, cout, Number(o[1]), Number(o[3]), stride, o.endsWith("-se"), make, rng)));
    this.projection = stride !== 1 || cin !== cout ? this.registerModule("id_projection", make([cout, cin, 1, 1], cin, rng)) : null;
  }
  run(x: Tensor, op: number, widthMultiplier: number, lambda: Tensor): Tensor {
    if (MBV2_OPS[op] === "id") {
      return this.projection ? bn(conv2d(x, takeIn(this.projection.weight(lambda), x.shape[1]!), { stride: this.stride })) : x;
    }
    const c = this.candidates[op]!;
    // as the space's layout: the expansion of the actual input width (layer 0's input is width-searched)
    return c.run(x, Math.max(1, Math.round(x.shape[1]! * c.expansion * widthMultiplier)), lambda);
  }
  forward(x: Tensor): Tensor { return x; }
}

export class Mbv2Supernet extends Module implements Supernet {
  private readonly stem: Fixed;
  private readonly fixedDw: Fixed;
  private readonly fixedProject: Fixed;
  private readonly layers: SearchLayer[] = [];
  private readonly last: Fixed;
  private readonly classifier: Tensor;
  private readonly classifierBias: Tensor;

  constructor(readonly space: Mbv2Space, make: WeightFactory, rng: Rng) {
    super();
    const { inChannels, classes } = space.config;
    const full = space.layout(space.genes.map((g) => (g.kind === "width" ? g.choices.length - 1 : 1)));
    const { stem, fixed, last } = space.macro, top = full.layers[full.layers.length - 1]!.cout;
    this.stem = this.registerModule("stem", new Fixed([stem, inChannels, 3, 3], inChannels * 9, rng));
    this.fixedDw = this.registerModule("fixed_dw", new Fixed([stem, 1, 3, 3], 9, rng));
    this.fixedProject = this.registerModule("fixed_project", new Fixed([fixed, stem, 1, 1], stem, rng));
    full.layers.slice(1).forEach((l, i) => {
      this.layers.push(this.registerModule(`layers.${i}`, new SearchLayer(l.cin, l.cout, l.stride, make, rng)));
    });
    this.last = this.registerModule("last", new Fixed([last, top, 1, 1], top, rng));
    this.classifier = this.registerParameter("classifier.weight", kaimingUniformDefault([classes, last], last, rng));
    this.classifierBias = this.registerParameter("classifier.bias", kaimingUniformDefault([classes], last, rng));
  }

  forwardPath(x: Tensor, genes: readonly number[], lambda: Tensor): Tensor {
    const layout = this.space.layout(genes);
    const mult = this.space.multipliers(genes);
    let h = this.stem.apply(x, layout.stem, { stride: layout.stemStride, relu6: true });
    h = this.fixedDw.apply(h, layout.stem, { groups: true, relu6: true });
    h = this.fixedProject.apply(h, layout.layers[0]!.cout);
    this.layers.forEach((l, i) => { h = l.run(h, genes[i]!, mult[2 + i]!, lambda); });
    h = this.last.apply(h, layout.last, { relu6: true });
    const w = takeIn(this.classifier, layout.last);
    return add(matmul(globalAvgPool(h), w, { transposeB: true }), this.classifierBias);
  }

  useBatchStatsInEval(): void {
    // every BN here always uses batch statistics
  }

  forward(x: Tensor): Tensor { return x; }
}
