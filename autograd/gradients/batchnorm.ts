import { engine } from "../../engine/index.js";
import * as K from "../../engine/kernel_names.js";
import { registerGradient } from "../gradient_registry.js";

// Running statistics (eval mode) are constants: they get no gradient.
registerGradient<K.BatchNormAttrs>(K.BatchNorm, (dy, { inputs, outputs: [, mean, invstd], attrs }) => {
  const x = inputs[0]!;
  const gIn = [dy, x, mean!, invstd!];
  if (attrs.affine) gIn.push(inputs[1]!);
  const [dx, dgamma, dbeta] = engine.runKernel(K.BatchNormGrad, gIn, attrs);
  const grads = [dx!];
  if (attrs.affine) grads.push(dgamma!, dbeta!);
  return [...grads, ...inputs.slice(grads.length).map(() => null)];
});
