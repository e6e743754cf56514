import type { Tensor } from "../../engine/index.js";
import * as K from "../../engine/kernel_names.js";
import { registerGradient } from "../gradient_registry.js";
import { div, mul, mulScalar, neg, powScalar } from "../ops/arithmetic.js";

// Gradients here may have the broadcast output's shape; the tape reduces
// them to each input's shape (reduce_to_shape.ts).

registerGradient(K.Add, (dy) => [dy, dy]);
registerGradient(K.Sub, (dy) => [dy, neg(dy)]);
registerGradient(K.Mul, (dy, { inputs: [a, b] }) => [mul(dy, b!), mul(dy, a!)]);
registerGradient(K.Div, (dy, { inputs: [a, b] }) => {
  const da = div(dy, b!);
  return [da, neg(div(mul(da, a!), b!))];
});
registerGradient(K.Neg, (dy) => [neg(dy)]);
registerGradient(K.Exp, (dy, { outputs: [y] }) => [mul(dy, y!)]);
registerGradient(K.Log, (dy, { inputs: [x] }) => [div(dy, x!)]);
registerGradient(K.Sqrt, (dy, { outputs: [y] }) => [div(mulScalar(dy, 0.5), y!)]);
registerGradient(K.AddScalar, (dy) => [dy]);
registerGradient<K.ScalarAttrs>(K.MulScalar, (dy, { attrs }) => [mulScalar(dy, attrs.value)]);
registerGradient<K.ScalarAttrs>(K.PowScalar, (dy, { inputs: [x], attrs }) =>
  [mul(dy, mulScalar(powScalar(x as Tensor, attrs.value - 1), attrs.value))]);
