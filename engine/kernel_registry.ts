import type { Backend, TensorInfo } from "./backend.js";
import { OpError } from "./errors.js";

export interface KernelArgs<A, B extends Backend = Backend> {
  inputs: readonly TensorInfo[];
  attrs: A;
  backend: B;
}

/** A kernel returns its outputs; several for kernels that also save values for their gradient. */
export type KernelFunc<A = any, B extends Backend = any> = (args: KernelArgs<A, B>) => TensorInfo[];

const kernels = new Map<string, KernelFunc>();
const key = (kernel: string, backend: string) => `${backend}/${kernel}`;

export function registerKernel<A, B extends Backend>(kernel: string, backend: string, fn: KernelFunc<A, B>): void {
  kernels.set(key(kernel, backend), fn as KernelFunc);
}

export function getKernel(kernel: string, backend: string): KernelFunc {
  const fn = kernels.get(key(kernel, backend));
  if (fn === undefined) throw new OpError(kernel, `a kernel registered for backend '${backend}'`, "none");
  return fn;
}

export function hasKernel(kernel: string, backend: string): boolean {
  return kernels.has(key(kernel, backend));
}
