import { OpError, fmtShape } from "./errors.js";
import type { PoolAttrs } from "./kernel_names.js";

/** Sizes of one NCHW pooling, validated once and shared by every backend's kernels. */
export interface PoolGeometry { planes: number; h: number; w: number; oh: number; ow: number; kh: number; kw: number; sh: number; sw: number; ph: number; pw: number }

export function poolGeometry(op: string, shape: readonly number[], a: PoolAttrs): PoolGeometry {
  if (shape.length !== 4) throw new OpError(op, "input of rank 4 (NCHW)", fmtShape(shape));
  const [n, c, h, w] = shape as [number, number, number, number];
  const [kh, kw] = a.kernel, [sh, sw] = a.stride, [ph, pw] = a.pad;
  if (ph * 2 > kh || pw * 2 > kw) throw new OpError(op, "padding at most half the kernel", `kernel [${kh}, ${kw}], pad [${ph}, ${pw}]`);
  const oh = Math.floor((h + 2 * ph - kh) / sh) + 1, ow = Math.floor((w + 2 * pw - kw) / sw) + 1;
  if (oh < 1 || ow < 1) throw new OpError(op, `a ${kh}x${kw} window that fits the padded input`, fmtShape(shape));
  return { planes: n * c, h, w, oh, ow, kh, kw, sh, sw, ph, pw };
}
