import { after } from "node:test";
import type { KernelTeam } from "../../engine/cpu/wasm/team.js";
import { wasm } from "../../engine/cpu/wasm/module.js";
import { f64Words } from "../../engine/cpu/kernels/heap_operands.js";

const SCALAR_MUL = 1;

/**
 * Two vectors of `n` floats on the kernel heap (released after the file's
 * tests) and a kernel call to run on a given team: y = factor x in n / per
 * tasks of the scalar kernel, reading from `from` (x unless told; a pointer
 * past the memory's end makes a task trap).
 */
export function scaleOnTeam(n: number, per: number) {
  const x = wasm.heap.alloc(4 * n), y = wasm.heap.alloc(4 * n);
  after(() => {
    wasm.heap.release(x);
    wasm.heap.release(y);
  });
  return {
    x,
    /** The vector at `ptr` (x or y), viewed afresh: the memory may have grown since. */
    values: (ptr: number) => wasm.f32.subarray(ptr >>> 2, (ptr >>> 2) + n),
    y,
    scale(team: KernelTeam, factor: number, from = x): void {
      team.run("scalarTask", [SCALAR_MUL, from, y, n, per, ...f64Words(factor)], n / per, 0, n);
      team.sync();
    },
  };
}
