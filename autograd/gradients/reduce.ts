import * as K from "../../engine/kernel_names.js";
import { registerGradient } from "../gradient_registry.js";
import { mulScalar } from "../ops/arithmetic.js";
import { broadcastTo } from "../ops/reduce.js";
import { reshape } from "../ops/shape.js";

const keptShape = (shape: readonly number[], axes: number[]) => {
  const norm = axes.map((a) => (a < 0 ? a + shape.length : a));
  return shape.map((d, i) => (norm.includes(i) ? 1 : d));
};

registerGradient<K.ReduceAttrs>(K.Sum, (dy, { inputs: [x], attrs }) =>
  [broadcastTo(reshape(dy, keptShape(x!.shape, attrs.axes)), x!.shape)]);

registerGradient<K.ReduceAttrs>(K.Mean, (dy, { inputs: [x], attrs }) => {
  const kept = keptShape(x!.shape, attrs.axes);
  const count = x!.size / kept.reduce((a, b) => a * b, 1);
  return [broadcastTo(reshape(mulScalar(dy, 1 / count), kept), x!.shape)];
});

// the tape's reduce-to-shape is exactly the adjoint of broadcasting
registerGradient(K.BroadcastTo, (dy) => [dy]);
