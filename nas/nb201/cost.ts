import { CostCounter, type Cost } from "../cost.js";
import type { Nb201Arch } from "./arch.js";
import type { Nb201Config } from "./network.js";

/**
 * Exact cost of a NAS-Bench-201 network without building it, for inputs of
 * `height` x `width`: the same layers as Nb201Network, counted by the
 * convention of nas/cost.ts.
 */
export function nb201Cost(arch: Nb201Arch, config: Nb201Config, height: number, width: number): Cost {
  const { C, N, inChannels, classes } = config;
  const count = new CostCounter();
  let h = height, w = width;
  count.conv(inChannels, C, 3, h * w, { bn: true });
  let cPrev = C;
  for (const [stage, c] of [C, 2 * C, 4 * C].entries()) {
    if (stage > 0) {
      // ResNet block, stride 2 (padding 1 for the 3x3 conv, 2x2 avg-pool for the shortcut)
      h = Math.floor((h - 1) / 2) + 1;
      w = Math.floor((w - 1) / 2) + 1;
      count.conv(cPrev, c, 3, h * w, { bn: true }).conv(c, c, 3, h * w, { bn: true });
      count.conv(cPrev, c, 1, h * w);
    }
    for (let i = 0; i < N; i++) {
      for (const e of arch) {
        if (e.op === "nor_conv_3x3") count.conv(c, c, 3, h * w, { bn: true });
        else if (e.op === "nor_conv_1x1") count.conv(c, c, 1, h * w, { bn: true });
      }
    }
    cPrev = c;
  }
  return count.bn(cPrev).classifier(cPrev, classes).result();
}
