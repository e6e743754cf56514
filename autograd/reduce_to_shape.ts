import { engine, type Tensor } from "../engine/index.js";
import * as K from "../engine/kernel_names.js";

/**
 * Sums a gradient over the axes along which its input was broadcast, so
 * that it matches the input's shape. Every op's gradient passes through
 * here: no op reduces broadcast axes itself.
 */
export function reduceToShape(g: Tensor, shape: readonly number[]): Tensor {
  if (g.shape.length === shape.length && g.shape.every((d, i) => d === shape[i])) return g;
  const lead = g.shape.length - shape.length;
  const axes: number[] = [];
  g.shape.forEach((d, i) => {
    if (i < lead || (shape[i - lead] === 1 && d !== 1)) axes.push(i);
  });
  const [summed] = engine.runKernel(K.Sum, [g], { axes, keepDims: false });
  return engine.reshapeShared(summed!, shape);
}
