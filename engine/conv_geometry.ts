import { OpError, fmtShape } from "./errors.js";
import type { Conv2DAttrs } from "./kernel_names.js";

/** Sizes of one NCHW convolution, validated once and shared by its forward and backward kernels. */
export interface ConvGeometry {
  n: number; c: number; h: number; w: number;
  cout: number; groups: number; cinG: number; coutG: number;
  kh: number; kw: number; sh: number; sw: number; ph: number; pw: number;
  oh: number; ow: number;
  /** Rows of the im2col matrix per group: cinG * kh * kw. */
  kg: number;
  /** Output pixels per image: oh * ow. */
  p: number;
}

export function convGeometry(op: string, xShape: readonly number[], wShape: readonly number[], attrs: Conv2DAttrs): ConvGeometry {
  if (xShape.length !== 4) throw new OpError(op, "input of rank 4 (NCHW)", fmtShape(xShape));
  if (wShape.length !== 4) throw new OpError(op, "weights of rank 4 (Cout, Cin/groups, kh, kw)", fmtShape(wShape));
  const [n, c, h, w] = xShape as [number, number, number, number];
  const [cout, cinG, kh, kw] = wShape as [number, number, number, number];
  const { groups } = attrs;
  const [sh, sw] = attrs.stride;
  const [ph, pw] = attrs.pad;
  if (!Number.isInteger(groups) || groups < 1 || c % groups !== 0 || cout % groups !== 0) {
    throw new OpError(op, `groups dividing both channel counts (${c} in, ${cout} out)`, `groups=${groups}`);
  }
  if (cinG * groups !== c) {
    throw new OpError(op, `weights of shape [${cout}, ${c / groups}, kh, kw] for ${c} input channels in ${groups} groups`, fmtShape(wShape));
  }
  if (sh < 1 || sw < 1 || ph < 0 || pw < 0) throw new OpError(op, "stride >= 1 and padding >= 0", `stride=[${sh}, ${sw}], pad=[${ph}, ${pw}]`);
  const oh = Math.floor((h + 2 * ph - kh) / sh) + 1;
  const ow = Math.floor((w + 2 * pw - kw) / sw) + 1;
  if (oh < 1 || ow < 1) {
    throw new OpError(op, `a ${kh}x${kw} kernel that fits the padded input`, `input ${fmtShape(xShape)} with pad [${ph}, ${pw}]`);
  }
  return {
    n, c, h, w, cout, groups, cinG, coutG: cout / groups, kh, kw, sh, sw, ph, pw, oh, ow,
    kg: cinG * kh * kw, p: oh * ow,
  };
}

/** A 1x1, stride-1, unpadded convolution is a plain GEMM on the image: no im2col needed. */
export function isPointwise(g: ConvGeometry): boolean {
  return g.kh === 1 && g.kw === 1 && g.sh === 1 && g.sw === 1 && g.ph === 0 && g.pw === 0;
}

/** One filter per input channel: the direct depthwise kernel applies. */
export function isDepthwise(g: ConvGeometry): boolean {
  return g.cinG === 1 && g.coutG === 1;
}
