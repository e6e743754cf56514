import { engine } from "../../engine/index.js";
import * as K from "../../engine/kernel_names.js";
import { registerGradient } from "../gradient_registry.js";

registerGradient<K.PoolAttrs>(K.AvgPool, (dy, { inputs: [x], attrs }) =>
  [engine.runKernel<K.PoolGradAttrs>(K.AvgPoolGrad, [dy], { ...attrs, xShape: [...x!.shape] })[0]!]);

// outputs[1] holds the position of each maximum
registerGradient<K.PoolAttrs>(K.MaxPool, (dy, { inputs: [x], outputs: [, argmax], attrs }) =>
  [engine.runKernel<K.PoolGradAttrs>(K.MaxPoolGrad, [dy, argmax!], { ...attrs, xShape: [...x!.shape] })[0]!]);
