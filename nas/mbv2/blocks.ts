import { CostCounter, type Cost } from "../cost.js";

/** One inverted-residual layer, or identity (a 1x1 conv + BN projection where stride or width changes). */
export type Mbv2Layer =
  | { kind: "ir"; cin: number; cout: number; kernel: number; hidden: number; stride: number; se: boolean }
  | { kind: "identity"; cin: number; cout: number; stride: number };

/** Output width of a layout's last layer (the stem's where it has none). */
export const topWidth = (layout: Mbv2Layout): number => layout.layers.at(-1)?.cout ?? layout.stem;

export interface Mbv2Layout {
  inChannels: number;
  stem: number;
  stemStride: number;
  layers: Mbv2Layer[];
  last: number;
  classes: number;
}

/** Squeeze-and-excitation width on `hidden` expanded channels: max(1, floor(0.25 * hidden)). */
export const seChannels = (hidden: number) => Math.max(1, Math.floor(0.25 * hidden));

/** Output size of a convolution of odd kernel k with padding floor(k / 2): the same for every such k. */
const outSize = (size: number, stride: number) => Math.floor((size - 1) / stride) + 1;

/**
 * Exact cost of a MobileNetV2-style network: stem conv3x3 (stride 2 on ImageNet) + BN,
 * the layers, 1x1 conv to `last` + BN, global pooling, linear classifier.
 * An inverted residual is 1x1 expansion + BN (absent when hidden = cin, as
 * MobileNetV2's expansion-1 block), depthwise k x k with the stride + BN,
 * optional SE (two 1x1 convs with bias at 1x1), 1x1 projection + BN.
 */
export function mbv2Cost(layout: Mbv2Layout, height: number, width: number): Cost {
  const count = new CostCounter();
  let h = outSize(height, layout.stemStride), w = outSize(width, layout.stemStride);
  count.conv(layout.inChannels, layout.stem, 3, h * w, { bn: true });
  for (const l of layout.layers) {
    const ho = outSize(h, l.stride), wo = outSize(w, l.stride);
    if (l.kind === "identity") {
      if (l.stride !== 1 || l.cin !== l.cout) count.conv(l.cin, l.cout, 1, ho * wo, { bn: true });
    } else {
      if (l.hidden !== l.cin) count.conv(l.cin, l.hidden, 1, h * w, { bn: true });
      count.conv(l.hidden, l.hidden, l.kernel, ho * wo, { groups: l.hidden, bn: true });
      if (l.se) {
        const r = seChannels(l.hidden);
        count.conv(l.hidden, r, 1, 1, { bias: true }).conv(r, l.hidden, 1, 1, { bias: true });
      }
      count.conv(l.hidden, l.cout, 1, ho * wo, { bn: true });
    }
    h = ho;
    w = wo;
  }
  count.conv(topWidth(layout), layout.last, 1, h * w, { bn: true });
  return count.classifier(layout.last, layout.classes).result();
}

/** torchvision's MobileNetV2-1.0 assembled from the same blocks (for checking the counts). */
export function torchvisionMobileNetV2(inChannels = 3, classes = 1000): Mbv2Layout {
  const settings: [number, number, number, number][] = [[1, 16, 1, 1], [6, 24, 2, 2], [6, 32, 3, 2], [6, 64, 4, 2], [6, 96, 3, 1], [6, 160, 3, 2], [6, 320, 1, 1]];
  const layers: Mbv2Layer[] = [];
  let cin = 32;
  for (const [t, c, n, s] of settings) {
    for (let i = 0; i < n; i++) {
      layers.push({ kind: "ir", cin, cout: c, kernel: 3, hidden: cin * t, stride: i === 0 ? s : 1, se: false });
      cin = c;
    }
  }
  return { inChannels, stem: 32, stemStride: 2, layers, last: 1280, classes };
}
