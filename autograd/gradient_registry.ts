import type { Tensor } from "../engine/index.js";

export interface GradContext<A> {
  inputs: readonly Tensor[];
  /** Every output of the kernel: the result first, then the values it saved for its gradient. */
  outputs: readonly Tensor[];
  attrs: A;
}

/** Maps the gradient of a kernel's first output to gradients of its inputs (null where none is needed). */
export type GradFunc<A = any> = (dy: Tensor, ctx: GradContext<A>) => (Tensor | null)[];

const gradients = new Map<string, GradFunc>();

export function registerGradient<A>(kernel: string, fn: GradFunc<A>): void {
  gradients.set(kernel, fn as GradFunc);
}

export function getGradient(kernel: string): GradFunc {
  const fn = gradients.get(kernel);
  if (fn === undefined) throw new Error(`autograd: no gradient registered for kernel '${kernel}'`);
  return fn;
}
