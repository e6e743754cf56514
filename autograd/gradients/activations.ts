import { engine, type Tensor } from "../../engine/index.js";
import * as K from "../../engine/kernel_names.js";
import { registerGradient } from "../gradient_registry.js";

const activationGrad = (activation: K.Activation, dy: Tensor, x: Tensor): Tensor =>
  engine.runKernel<K.ActivationGradAttrs>(K.ActivationGrad, [dy, x], { activation })[0]!;

registerGradient(K.Relu, (dy, { inputs: [x] }) => [activationGrad("relu", dy, x!)]);
registerGradient(K.Relu6, (dy, { inputs: [x] }) => [activationGrad("relu6", dy, x!)]);
// sigmoid's derivative is cheapest from its output
registerGradient(K.Sigmoid, (dy, { outputs: [y] }) => [activationGrad("sigmoid", dy, y!)]);
registerGradient(K.HardSigmoid, (dy, { inputs: [x] }) => [activationGrad("hardSigmoid", dy, x!)]);
registerGradient(K.HardSwish, (dy, { inputs: [x] }) => [activationGrad("hardSwish", dy, x!)]);
