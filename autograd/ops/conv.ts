import type { Tensor } from "../../engine/index.js";
import * as K from "../../engine/kernel_names.js";
import { runOp1 } from "../run_op.js";

export type Pair = number | [number, number];
export const pair = (v: Pair): [number, number] => (typeof v === "number" ? [v, v] : v);

export interface Conv2dOptions { stride?: Pair; padding?: Pair; groups?: number }

/** NCHW convolution: x [N, C, H, W], w [Cout, C/groups, kh, kw]; depthwise when groups = C = Cout. */
export function conv2d(x: Tensor, w: Tensor, options: Conv2dOptions = {}): Tensor {
  return runOp1<K.Conv2DAttrs>(K.Conv2D, [x, w], {
    stride: pair(options.stride ?? 1),
    pad: pair(options.padding ?? 0),
    groups: options.groups ?? 1,
  });
}
