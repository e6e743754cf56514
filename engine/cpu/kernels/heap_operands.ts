import type { TensorInfo } from "../../backend.js";
import type { TypedArray } from "../../dtype.js";
import type { CpuBackend, CpuData } from "../backend_cpu.js";
import { wasm } from "../wasm/module.js";
import { team } from "../wasm/team.js";

/**
 * Byte offsets of a kernel's inputs in the WebAssembly heap. Storage the
 * backend owns is already there; borrowed storage (a view of another
 * thread's memory) is copied into a temporary block, freed by release()
 * (and, for an operand updated in place, copied back first).
 */
export class HeapOperands {
  private readonly temps: number[] = [];
  private readonly writeBacks: { ptr: number; values: TypedArray }[] = [];

  constructor(private readonly backend: CpuBackend) {}

  ptr(t: TensorInfo): number {
    const d = t.dataId as CpuData;
    if (!d.borrowed) return d.ptr;
    const p = wasm.heap.alloc(d.values.byteLength);
    this.temps.push(p);
    (d.values instanceof Float32Array ? wasm.f32 : wasm.i32).set(d.values, p >>> 2);
    return p;
  }

  /** The heap offset of an operand the kernel updates in place. */
  inPlace(t: TensorInfo): number {
    const p = this.ptr(t);
    const d = t.dataId as CpuData;
    if (d.borrowed) this.writeBacks.push({ ptr: p, values: d.values });
    return p;
  }

  /** The heap offset of a new output of `size` floats, and its storage (contents undefined). */
  output(size: number): { ptr: number; data: CpuData } {
    const data = this.backend.allocateUninit(size, "float32");
    return { ptr: data.ptr, data };
  }

  release(): void {
    // the kernel may still be queued: its in-place result is read once it is done
    if (this.writeBacks.length > 0) team.sync();
    for (const { ptr, values } of this.writeBacks) values.set((values instanceof Float32Array ? wasm.f32 : wasm.i32).subarray(ptr >>> 2, (ptr >>> 2) + values.length));
    this.writeBacks.length = 0;
    for (const p of this.temps) wasm.heap.release(p);
    this.temps.length = 0;
  }
}

const f64 = new Float64Array(1), f64AsWords = new Int32Array(f64.buffer);
/** A number as the two little-endian i32 words of its f64, for a kernel's parameter block. */
export function f64Words(v: number): number[] {
  f64[0] = v;
  return [f64AsWords[0]!, f64AsWords[1]!];
}
