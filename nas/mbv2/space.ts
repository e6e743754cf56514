import type { Cost } from "../cost.js";
import type { Gene, SearchSpace } from "../space.js";
import { mbv2Cost, type Mbv2Layer, type Mbv2Layout } from "./blocks.js";

// The MobileNetV2 search space of the paper (as GreedyNAS): stem conv3x3
// stride 2 to 32; a fixed inverted residual (kernel 3, expansion 1) to 16;
// 21 searchable layers in stages of 32, 40, 80, 96, 192, 320 channels, depths
// 4, 4, 4, 4, 4, 1, strides 2, 2, 2, 1, 2, 1 (on each stage's first layer);
// 1x1 conv to 1280; global pooling; linear classifier. Each searchable layer
// picks kernel {3, 5, 7} x expansion {3, 6} x SE {off, on}, or identity.
// That is the "imagenet" macro. The "mini" macro keeps the 21 layers, their
// 13 choices and the 24 width genes, and scales the rest to 28x28 or 32x32
// images (docs/mbv2-mini.md): every base width a quarter of ImageNet's, and
// the first two stages' stride-2 removed, so the stages run at 1/2, 1/2, 1/4,
// 1/4, 1/8 and 1/8 of the input (ImageNet's: 1/4 ... 1/32), where a 7x7
// kernel still differs from a 3x3 one.
//
// Width search: a multiplier in {0.2, ..., 1.0} for each of 24 layers. It
// scales the stem's output, the fixed block's output, the *expanded* channels
// of each searchable layer (its output width stays the stage's, so residual
// sums always add equal widths), and the last conv's output. A multiplier on
// an identity layer changes nothing.

/** The fixed parts of the network around the searchable layers. */
export interface Mbv2Macro {
  name: "imagenet" | "mini";
  stem: number;
  stemStride: number;
  /** Output width of the fixed inverted residual (kernel 3, expansion 1). */
  fixed: number;
  stages: { channels: readonly number[]; depths: readonly number[]; strides: readonly number[] };
  last: number;
}

export const MBV2_IMAGENET: Mbv2Macro = {
  name: "imagenet", stem: 32, stemStride: 2, fixed: 16,
  stages: { channels: [32, 40, 80, 96, 192, 320], depths: [4, 4, 4, 4, 4, 1], strides: [2, 2, 2, 1, 2, 1] }, last: 1280,
};
export const MBV2_MINI: Mbv2Macro = {
  name: "mini", stem: 8, stemStride: 2, fixed: 4,
  stages: { channels: [8, 10, 20, 24, 48, 80], depths: [4, 4, 4, 4, 4, 1], strides: [1, 1, 2, 1, 2, 1] }, last: 320,
};
export const MBV2_MACROS = { imagenet: MBV2_IMAGENET, mini: MBV2_MINI } as const;
export type Mbv2MacroName = keyof typeof MBV2_MACROS;

/** The macro a run uses unless told: imagenet for inputs of 128 pixels and more, mini below. */
export const defaultMbv2Macro = (height: number): Mbv2MacroName => (height >= 128 ? "imagenet" : "mini");
export const MBV2_OPS = ["k3e3", "k3e6", "k5e3", "k5e6", "k7e3", "k7e6", "k3e3-se", "k3e6-se", "k5e3-se", "k5e6-se", "k7e3-se", "k7e6-se", "id"] as const;
export const MBV2_WIDTHS = ["0.2", "0.4", "0.6", "0.8", "1.0"] as const;
const LAYERS = 21, WIDTH_LAYERS = 24;

export interface Mbv2SpaceConfig {
  inChannels: number; height: number; width: number; classes: number; searchWidth: boolean;
  /** The fixed layout around the searchable layers (default: `defaultMbv2Macro(height)`). */
  macro?: Mbv2MacroName;
}

const scale = (c: number, m: number) => Math.max(1, Math.round(c * m));

export class Mbv2Space implements SearchSpace {
  readonly name = "mbv2";
  readonly genes: Gene[];
  readonly macro: Mbv2Macro;

  constructor(readonly config: Mbv2SpaceConfig) {
    const name = config.macro ?? defaultMbv2Macro(config.height);
    if (!Object.hasOwn(MBV2_MACROS, name)) throw new Error(`MobileNetV2 space: unknown macro '${name}'; expected ${Object.keys(MBV2_MACROS).join(" or ")}`);
    this.macro = MBV2_MACROS[name];
    this.genes = Array.from({ length: LAYERS }, (_, i): Gene => ({ name: `layer${i}`, kind: "op", choices: MBV2_OPS }));
    if (config.searchWidth) {
      for (let i = 0; i < WIDTH_LAYERS; i++) this.genes.push({ name: `width${i}`, kind: "width", choices: MBV2_WIDTHS });
    }
  }

  /** Width multipliers of the 24 layers (all 1 without width search). */
  multipliers(genes: readonly number[]): number[] {
    return Array.from({ length: WIDTH_LAYERS }, (_, i) => (this.config.searchWidth ? Number(MBV2_WIDTHS[genes[LAYERS + i]!]) : 1));
  }

  layout(genes: readonly number[]): Mbv2Layout {
    const mult = this.multipliers(genes);
    const { stages } = this.macro;
    const stem = scale(this.macro.stem, mult[0]!);
    const fixedOut = scale(this.macro.fixed, mult[1]!);
    const layers: Mbv2Layer[] = [{ kind: "ir", cin: stem, cout: fixedOut, kernel: 3, hidden: stem, stride: 1, se: false }];
    let cin = fixedOut, i = 0;
    stages.channels.forEach((cout, s) => {
      for (let d = 0; d < stages.depths[s]!; d++, i++) {
        const stride = d === 0 ? stages.strides[s]! : 1;
        const op = MBV2_OPS[genes[i]!]!;
        if (op === "id") {
          layers.push({ kind: "identity", cin, cout, stride });
        } else {
          const kernel = Number(op[1]), expansion = Number(op[3]);
          layers.push({ kind: "ir", cin, cout, kernel, hidden: scale(cin * expansion, mult[2 + i]!), stride, se: op.endsWith("-se") });
        }
        cin = cout;
      }
    });
    const { inChannels, classes } = this.config;
    return { inChannels, stem, stemStride: this.macro.stemStride, layers, last: scale(this.macro.last, mult[WIDTH_LAYERS - 1]!), classes };
  }

  cost(genes: readonly number[]): Cost {
    return mbv2Cost(this.layout(genes), this.config.height, this.config.width);
  }

  /** Every choice changes the network: each architecture is its own function. */
  functionKey(genes: readonly number[]): string {
    return this.format(genes);
  }

  get distinctFunctions(): number {
    return this.genes.reduce((n, g) => n * g.choices.length, 1);
  }

  format(genes: readonly number[]): string {
    const ops = genes.slice(0, LAYERS).map((g) => MBV2_OPS[g]).join(",");
    return this.config.searchWidth ? `${ops}|${genes.slice(LAYERS).map((g) => MBV2_WIDTHS[g]).join(",")}` : ops;
  }

  parse(s: string): number[] {
    const fail = (what: string): never => {
      throw new Error(`invalid MobileNetV2-space architecture: ${what}; expected ${LAYERS} comma-separated choices from ` +
        `${MBV2_OPS.join(", ")}${this.config.searchWidth ? `, then '|' and ${WIDTH_LAYERS} widths from ${MBV2_WIDTHS.join(", ")}` : ""}`);
    };
    const [opPart, widthPart, ...rest] = s.split("|");
    if (rest.length > 0) fail("more than one '|'");
    const ops = opPart!.split(",").map((x) => x.trim());
    if (ops.length !== LAYERS) fail(`${ops.length} layer choices`);
    const genes = ops.map((o) => {
      const k = (MBV2_OPS as readonly string[]).indexOf(o);
      if (k < 0) fail(`unknown choice '${o}'`);
      return k;
    });
    if (widthPart === undefined) {
      if (this.config.searchWidth) genes.push(...new Array<number>(WIDTH_LAYERS).fill(MBV2_WIDTHS.length - 1));
      return genes;
    }
    if (!this.config.searchWidth) fail("width multipliers given, but this space does not search widths");
    const widths = widthPart.split(",").map((x) => x.trim());
    if (widths.length !== WIDTH_LAYERS) fail(`${widths.length} width multipliers`);
    for (const wv of widths) {
      const k = MBV2_WIDTHS.findIndex((m) => Number(m) === Number(wv));
      if (k < 0) fail(`width '${wv}' is off the grid`); // Number("") is 0, off the grid too
      genes.push(k);
    }
    return genes;
  }
}
