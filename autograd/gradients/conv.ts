import { engine } from "../../engine/index.js";
import * as K from "../../engine/kernel_names.js";
import { registerGradient } from "../gradient_registry.js";

registerGradient<K.Conv2DAttrs>(K.Conv2D, (dy, { inputs: [x, w], attrs }) => [
  x!.requiresGrad
    ? engine.runKernel<K.Conv2DBackpropInputAttrs>(K.Conv2DBackpropInput, [dy, w!], { ...attrs, xShape: [...x!.shape] })[0]!
    : null,
  w!.requiresGrad
    ? engine.runKernel<K.Conv2DBackpropFilterAttrs>(K.Conv2DBackpropFilter, [x!, dy], { ...attrs, wShape: [...w!.shape] })[0]!
    : null,
]);
