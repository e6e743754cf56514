/** The tensor engine: tensors, backends, kernels. Importing it registers the CPU backend. */
import { cpuBackend } from "./cpu/backend_cpu.js";
import "./cpu/register.js";
import { engine } from "./engine.js";
import { team } from "./cpu/wasm/team.js";
import { wasm, type KernelSet } from "./cpu/wasm/module.js";

engine.registerBackend(cpuBackend);

export { engine, keep, memory, setBackend, tidy, type EngineMemory, type TensorContainer } from "./engine.js";
export { Tensor, type GradNode } from "./tensor.js";
export { cpuBackend } from "./cpu/backend_cpu.js";
export type { Backend, DataId, TensorInfo, MemoryStats } from "./backend.js";
export type { DType, TypedArray } from "./dtype.js";
export { OpError } from "./errors.js";
export { Rng } from "./random.js";
export { registerKernel, getKernel, hasKernel, type KernelFunc } from "./kernel_registry.js";
export * as kernels from "./kernel_names.js";
export { fromNdarray, fromSharedView, full, ones, randn, scalar, tensor, toNdarray, uniform, zeros } from "./factories.js";
export { sizeOf, stridesOf, broadcastShapes } from "./shape.js";
export { loadSafetensors, parseSafetensors, saveSafetensors, type Safetensors } from "./io/safetensors.js";

/** Threads that run the CPU kernels, the calling one included (default: $KSHOT_THREADS, else the available cores). */
export function kernelThreads(): number {
  return team.threads;
}

/** Sizes the CPU kernel team; results are the same bits for any count. */
export function setKernelThreads(threads: number): void {
  team.threads = threads;
}

/**
 * Whether the CPU kernel team runs only on the cores other processes leave
 * free (default: on; where Linux's /proc cannot be read, always on all).
 * Results are the same bits either way.
 */
export function setKernelThreadsAdaptive(on: boolean): void {
  team.adaptive = on;
}

/**
 * Returns once every CPU kernel call made so far has finished. While more
 * than one thread runs kernels, a call is queued and the caller goes on
 * (engine/cpu/wasm/team.ts); reading a tensor's values waits for the calls
 * before it, so this is only needed to time work without reading its result.
 * A kernel that failed since the last wait throws here.
 */
export function waitForKernels(): void {
  team.sync();
}

export { parseThreads } from "./cpu/wasm/team.js";

/**
 * The CPU kernel set in use: "fma" (fused multiply-adds, where the runtime
 * has relaxed SIMD and the CPU has FMA) or "simd"; chosen when the engine
 * loads ($KSHOT_KERNELS forces one). Results are the same bits within a set.
 */
export function kernelSet(): KernelSet {
  return wasm.set;
}

export { KERNEL_SETS, type KernelSet } from "./cpu/wasm/module.js";
