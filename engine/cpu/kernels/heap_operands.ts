import type { TensorInfo } from "../../backend.js";
import type { CpuBackend, CpuData } from "../backend_cpu.js";
import { wasm } from "../wasm/module.js";

/**
 * Byte offsets of a kernel's inputs in the WebAssembly heap. Storage the
 * backend owns is already there; borrowed storage (a view of another
 * thread's memory) is copied into a temporary block, freed by release().
 */
export class HeapOperands {
  private readonly temps: number[] = [];

  constructor(private readonly backend: CpuBackend) {}

  ptr(t: TensorInfo): number {
    const d = t.dataId as CpuData;
    if (!d.borrowed) return d.ptr;
    const p = wasm.heap.alloc(d.values.byteLength);
    this.temps.push(p);
    (d.values instanceof Float32Array ? wasm.f32 : wasm.i32).set(d.values, p >>> 2);
    return p;
  }

  /** The heap offset of a new output of `size` floats, and its storage (contents undefined). */
  output(size: number): { ptr: number; data: CpuData } {
    const data = this.backend.allocateUninit(size, "float32");
    return { ptr: data.ptr, data };
  }

  release(): void {
    for (const p of this.temps) wasm.heap.release(p);
    this.temps.length = 0;
  }
}
