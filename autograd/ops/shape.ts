import { engine, OpError, sizeOf, type Tensor } from "../../engine/index.js";
import * as K from "../../engine/kernel_names.js";
import { record } from "../tape.js";
import { runOp1 } from "../run_op.js";

/** Same values under a new shape (one axis may be -1); shares storage. */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const known = shape.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
  const resolved = shape.map((d) => (d === -1 ? x.size / known : d));
  if (shape.filter((d) => d === -1).length > 1 || sizeOf(resolved) !== x.size || resolved.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new OpError("Reshape", `a shape of ${x.size} elements`, `[${shape.join(", ")}] for input [${x.shape.join(", ")}]`);
  }
  x.throwIfDisposed("Reshape");
  const out = engine.reshapeShared(x, resolved);
  record<K.ReshapeAttrs>(K.Reshape, [x], { shape: resolved }, [out]);
  return out;
}

/** The same values, cut off from the graph: no gradient flows back through the result. Shares storage. */
export function detach(x: Tensor): Tensor {
  x.throwIfDisposed("detach");
  return engine.reshapeShared(x, x.shape);
}

/** [N, ...] -> [N, rest]. */
export const flatten = (x: Tensor): Tensor => reshape(x, [x.shape[0]!, -1]);

export const transpose = (x: Tensor, perm: number[]): Tensor => runOp1<K.TransposeAttrs>(K.Transpose, [x], { perm });

export const concat = (xs: readonly Tensor[], axis: number): Tensor => runOp1<K.ConcatAttrs>(K.Concat, xs, { axis });

export const slice = (x: Tensor, begin: number[], size: number[]): Tensor => runOp1<K.SliceAttrs>(K.Slice, [x], { begin, size });

export const pad = (x: Tensor, paddings: [number, number][]): Tensor => runOp1<K.PadAttrs>(K.Pad, [x], { paddings });

/** Zero channels appended to [N, C, ...] up to `channels` (width search pads narrow paths to full width). */
export function padChannels(x: Tensor, channels: number): Tensor {
  const c = x.shape[1]!;
  if (channels < c) throw new OpError("padChannels", `a target of at least ${c} channels`, `${channels}`);
  return pad(x, x.shape.map((_, i): [number, number] => (i === 1 ? [0, channels - c] : [0, 0])));
}

/** The leading `channels` channels of [N, C, ...]. */
export function sliceChannels(x: Tensor, channels: number): Tensor {
  return slice(x, x.shape.map(() => 0), x.shape.map((d, i) => (i === 1 ? channels : d)));
}

/** A dtype conversion; not differentiable (int32 values carry no gradient), so never recorded. */
export const cast = (x: Tensor, dtype: "float32" | "int32"): Tensor => engine.runKernel<K.CastAttrs>(K.Cast, [x], { dtype })[0]!;

/** Overwrites `target`'s values with `value`'s, in place (parameters, running statistics). Not recorded. */
export function assign(target: Tensor, value: Tensor): void {
  engine.runKernel(K.Assign, [target, value], {});
}
