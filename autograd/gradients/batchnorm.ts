import { engine } from "../../engine/index.js";
import * as K from "../../engine/kernel_names.js";
import { registerGradient } from "../gradient_registry.js";

// Running statistics (eval mode) are constants: they get no gradient. A
// fused activation's mask comes from the output y.
registerGradient<K.BatchNormAttrs>(K.BatchNorm, (dy, { inputs, outputs: [y, mean, invstd], attrs }) => {
  const x = inputs[0]!;
  const gIn = [dy, x, mean!, invstd!];
  if (attrs.affine) gIn.push(inputs[1]!);
  if (attrs.activation) gIn.push(y!);
  const [dx, dgamma, dbeta] = engine.runKernel(K.BatchNormGrad, gIn, attrs);
  const grads = [dx!];
  if (attrs.affine) grads.push(dgamma!, dbeta!);
  return [...grads, ...inputs.slice(grads.length).map(() => null)];
});
