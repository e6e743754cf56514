import type { TensorInfo } from "../../backend.js";
import type { CpuBackend, CpuData } from "../backend_cpu.js";
import { team } from "../wasm/team.js";
import type { TaskKernel } from "../wasm/module.js";
import { HeapOperands } from "./heap_operands.js";

/** Elements per task of the element-wise kernels: fixed, so a split never depends on the thread count. */
export const ELEMENTS_PER_TASK = 1 << 16;

/**
 * Runs an element-wise WebAssembly task kernel over n elements: the words
 * are the op code, the operand pointers, the output pointer, n, the elements
 * per task, then `extra` (see engine/cpu/wasm/assembly/elementwise.ts). Returns the new output, of undefined contents until the
 * kernel writes all of it.
 */
export function elementwise(backend: CpuBackend, kernel: TaskKernel, op: number, inputs: readonly TensorInfo[], n: number,
  extra: readonly number[] = []): CpuData {
  const ops = new HeapOperands(backend);
  try {
    const ptrs = inputs.map((t) => ops.ptr(t));
    const out = ops.output(n);
    team.run(kernel, [op, ...ptrs, out.ptr, n, ELEMENTS_PER_TASK, ...extra], Math.ceil(n / ELEMENTS_PER_TASK), 0, n);
    return out.data;
  } finally {
    ops.release();
  }
}
