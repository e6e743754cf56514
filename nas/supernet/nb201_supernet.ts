import type { Rng, Tensor } from "../../engine/index.js";
import { add, avgPool2d, conv2d, mulScalar, relu } from "../../autograd/index.js";
import { Module } from "../../autograd/nn/module.js";
import { BatchNorm2d, Conv2d, GlobalAvgPool, Identity, Linear, ReLU, Sequential, AvgPool2d } from "../../autograd/nn/layers.js";
import { NB201_OPS } from "../nb201/arch.js";
import type { Nb201Config } from "../nb201/network.js";
import { KShotWeight, SharedWeight, type OpWeight } from "./kshot_weight.js";
import type { Supernet } from "./supernet.js";

/** Makes the weights of one searchable conv: K-shot copies, or a single one-shot copy. */
export type WeightFactory = (shape: number[], fanIn: number, rng: Rng) => OpWeight & Module;

export const kshotWeights = (K: number): WeightFactory => (shape, fanIn, rng) => new KShotWeight(shape, K, fanIn, rng);
export const sharedWeights: WeightFactory = (shape, fanIn, rng) => new SharedWeight(shape, fanIn, rng);

/**
 * ReLU -> conv (searchable weights) -> BN without affine parameters (as
 * SPOS), with batch statistics in training and in path evaluation. It is
 * given its input after the ReLU, which the cell shares (SuperCell).
 */
class SuperConv extends Module {
  private readonly w: OpWeight;
  private readonly bn: BatchNorm2d;
  constructor(c: number, private readonly k: number, make: WeightFactory, rng: Rng) {
    super();
    this.w = this.registerModule("weight", make([c, c, k, k], c * k * k, rng));
    this.bn = this.registerModule("bn", new BatchNorm2d(c, { affine: false }));
  }
  run(relued: Tensor, lambda: Tensor): Tensor {
    return this.bn.forward(conv2d(relued, this.w.weight(lambda), { padding: (this.k - 1) / 2 }));
  }
  forward(): Tensor {
    throw new Error("SuperConv: call run(x, lambda)");
  }
}

/** One cell edge holding every candidate op; a path picks one. */
class SuperEdge extends Module {
  private readonly conv1: SuperConv;
  private readonly conv3: SuperConv;
  constructor(c: number, make: WeightFactory, rng: Rng) {
    super();
    this.conv1 = this.registerModule("nor_conv_1x1", new SuperConv(c, 1, make, rng));
    this.conv3 = this.registerModule("nor_conv_3x3", new SuperConv(c, 3, make, rng));
  }
  /** `x` is the edge's input node and `relued()` its ReLU. */
  run(x: Tensor, relued: () => Tensor, op: number, lambda: Tensor): Tensor {
    switch (NB201_OPS[op]) {
      case "none": return mulScalar(x, 0);
      case "skip_connect": return x;
      case "nor_conv_1x1": return this.conv1.run(relued(), lambda);
      case "nor_conv_3x3": return this.conv3.run(relued(), lambda);
      case "avg_pool_3x3": return avgPool2d(x, 3, { stride: 1, padding: 1, countIncludePad: false });
      default: throw new Error(`NAS-Bench-201 supernet: no op ${op}`);
    }
  }
  forward(): Tensor {
    throw new Error("SuperEdge: call run(x, op, lambda)");
  }
}

const EDGES: [number, number][] = [[0, 1], [0, 2], [1, 2], [0, 3], [1, 3], [2, 3]];

/**
 * The convolutions leaving one node share one ReLU of it, where the official
 * cell applies one per edge: the same function and gradient (a ReLU's mask
 * is 0 or 1, so masking the summed gradient once equals summing the masked
 * ones, up to the order of the floating-point sum), for less work.
 */
class SuperCell extends Module {
  private readonly edges: SuperEdge[];
  constructor(c: number, make: WeightFactory, rng: Rng) {
    super();
    this.edges = EDGES.map((_, i) => this.registerModule(`edges.${i}`, new SuperEdge(c, make, rng)));
  }
  run(x: Tensor, genes: readonly number[], lambda: Tensor): Tensor {
    const nodes = [x];
    const relued: Tensor[] = [];
    for (const to of [1, 2, 3]) {
      let sum: Tensor | null = null;
      EDGES.forEach(([from, t], i) => {
        if (t !== to) return;
        const y = this.edges[i]!.run(nodes[from]!, () => (relued[from] ??= relu(nodes[from]!)), genes[i]!, lambda);
        sum = sum === null ? y : add(sum, y);
      });
      nodes.push(sum!);
    }
    return nodes[3]!;
  }
  forward(): Tensor {
    throw new Error("SuperCell: call run(x, genes, lambda)");
  }
}

/**
 * The fixed residual reduction block of NAS-Bench-201 (single copy of its
 * weights); conv_b's ReLU is fused into conv_a's BN (Identity keeps the
 * official parameter names).
 */
class Reduction extends Module {
  private readonly a: Sequential;
  private readonly b: Sequential;
  private readonly down: Sequential;
  constructor(cin: number, cout: number, rng: Rng) {
    super();
    this.a = this.registerModule("conv_a", new Sequential(ReLU(), new Conv2d(cin, cout, 3, rng, { stride: 2, padding: 1, bias: false }), new BatchNorm2d(cout, { activation: "relu" })));
    this.b = this.registerModule("conv_b", new Sequential(Identity(), new Conv2d(cout, cout, 3, rng, { padding: 1, bias: false }), new BatchNorm2d(cout)));
    this.down = this.registerModule("downsample", new Sequential(AvgPool2d(2, { stride: 2 }), new Conv2d(cin, cout, 1, rng, { bias: false })));
  }
  forward(x: Tensor): Tensor {
    return add(this.down.forward(x), this.b.forward(this.a.forward(x)));
  }
}

/**
 * The NAS-Bench-201 supernet: every cell holds all five ops on each edge;
 * the conv ops' weights come from the factory (K-shot copies or one shared
 * copy). The stem, the two reduction blocks, the last BN and the classifier
 * are outside the search and keep a single copy of their weights.
 */
export class Nb201Supernet extends Module implements Supernet {
  private readonly stem: Sequential;
  private readonly cells: (SuperCell | Reduction)[] = [];
  private readonly head: Sequential;

  constructor(readonly config: Nb201Config, make: WeightFactory, rng: Rng) {
    super();
    const { C, N, inChannels, classes } = config;
    this.stem = this.registerModule("stem", new Sequential(new Conv2d(inChannels, C, 3, rng, { padding: 1, bias: false }), new BatchNorm2d(C)));
    let cPrev = C;
    for (const [stage, c] of [C, 2 * C, 4 * C].entries()) {
      if (stage > 0) this.cells.push(new Reduction(cPrev, c, rng));
      for (let i = 0; i < N; i++) this.cells.push(new SuperCell(c, make, rng));
      cPrev = c;
    }
    this.cells.forEach((m, i) => this.registerModule(`cells.${i}`, m));
    // BN with its ReLU fused; Identity keeps the classifier at head.3
    this.head = this.registerModule("head", new Sequential(new BatchNorm2d(cPrev, { activation: "relu" }), Identity(), GlobalAvgPool(), new Linear(cPrev, classes, rng)));
  }

  /** Logits of the path `genes` with weights merged by `lambda` ([K]). */
  forwardPath(x: Tensor, genes: readonly number[], lambda: Tensor): Tensor {
    let h = this.stem.forward(x);
    for (const c of this.cells) h = c instanceof SuperCell ? c.run(h, genes, lambda) : c.forward(h);
    return this.head.forward(h);
  }

  forward(): Tensor {
    throw new Error("Nb201Supernet: call run(x, genes, lambda)");
  }

  /** BN layers use batch statistics when evaluating paths (paper, appendix B), running ones otherwise. */
  useBatchStatsInEval(on: boolean): void {
    for (const m of this.modules()) if (m instanceof BatchNorm2d) m.evalWithBatchStats = on;
  }
}

