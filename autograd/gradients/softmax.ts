import { engine } from "../../engine/index.js";
import * as K from "../../engine/kernel_names.js";
import { registerGradient } from "../gradient_registry.js";

registerGradient(K.LogSoftmax, (dy, { outputs: [y] }) => [engine.runKernel(K.LogSoftmaxGrad, [dy, y!], {})[0]!]);

// outputs[1] is the log-softmax; labels get no gradient
registerGradient<K.CrossEntropyAttrs>(K.SoftmaxCrossEntropy, (dy, { inputs: [, labels], outputs: [, logp], attrs }) =>
  [engine.runKernel(K.SoftmaxCrossEntropyGrad, [dy, logp!, labels!], attrs)[0]!, null]);
