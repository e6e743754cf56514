import type { Tensor } from "../../engine/index.js";
import * as K from "../../engine/kernel_names.js";
import { runOp, runOp1 } from "../run_op.js";
import { pair, type Pair } from "./conv.js";
import { mean } from "./reduce.js";

export interface PoolOptions { stride?: Pair; padding?: Pair }

function attrs(kernel: Pair, o: PoolOptions): K.PoolAttrs {
  return { kernel: pair(kernel), stride: pair(o.stride ?? kernel), pad: pair(o.padding ?? 0) };
}

/** Average pooling; `countIncludePad` divides by the full window as PyTorch's count_include_pad (default true there too). */
export function avgPool2d(x: Tensor, kernel: Pair, options: PoolOptions & { countIncludePad?: boolean } = {}): Tensor {
  return runOp1<K.PoolAttrs>(K.AvgPool, [x], { ...attrs(kernel, options), countIncludePad: options.countIncludePad ?? true });
}

export function maxPool2d(x: Tensor, kernel: Pair, options: PoolOptions = {}): Tensor {
  return runOp(K.MaxPool, [x], attrs(kernel, options))[0]!;
}

/** [N, C, H, W] -> [N, C]. */
export function globalAvgPool(x: Tensor): Tensor {
  return mean(x, [2, 3]);
}
