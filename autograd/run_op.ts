import { engine, type Tensor } from "../engine/index.js";
import { record } from "./tape.js";

/** Runs a kernel through the engine and records it for autograd; returns all its outputs. */
export function runOp<A>(kernel: string, inputs: readonly Tensor[], attrs: A): Tensor[] {
  const outputs = engine.runKernel(kernel, inputs, attrs);
  record(kernel, inputs, attrs, outputs);
  return outputs;
}

/** runOp for kernels with one output. */
export function runOp1<A>(kernel: string, inputs: readonly Tensor[], attrs: A): Tensor {
  return runOp(kernel, inputs, attrs)[0]!;
}
