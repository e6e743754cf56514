import type { Backend, TensorInfo } from "./backend.js";
import { OpError } from "./errors.js";

export interface KernelArgs<A, B extends Backend = Backend> {
  inputs: readonly TensorInfo[];
  attrs: A;
  backend: B;
}

/** A kernel returns its outputs; several for kernels that also save values for their gradient. */
export type KernelFunc<A = any, B extends Backend = any> = (args: KernelArgs<A, B>) => TensorInfo[];

/** Kernels by backend, then by name: two lookups, no key string built per call (runKernel looks one up for every op). */
const kernels = new Map<string, Map<string, KernelFunc>>();

/** Registers `fn` as `kernel` on `backend`; registering a name twice for one backend is an error, as in tfjs-core. */
export function registerKernel<A, B extends Backend>(kernel: string, backend: string, fn: KernelFunc<A, B>): void {
  let byName = kernels.get(backend);
  if (byName === undefined) kernels.set(backend, (byName = new Map()));
  if (byName.has(kernel)) throw new Error(`kernel '${kernel}' is already registered for backend '${backend}'`);
  byName.set(kernel, fn as KernelFunc);
}

export function getKernel(kernel: string, backend: string): KernelFunc {
  const fn = kernels.get(backend)?.get(kernel);
  if (fn === undefined) throw new OpError(kernel, `a kernel registered for backend '${backend}'`, "none");
  return fn;
}

export function hasKernel(kernel: string, backend: string): boolean {
  return kernels.get(backend)?.has(kernel) ?? false;
}
