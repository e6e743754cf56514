import type { Backend, DataId, MemoryStats } from "../backend.js";
import { dtypeOfArray, type DType, type TypedArray } from "../dtype.js";
import { wasm } from "./wasm/module.js";
import { team } from "./wasm/team.js";

/**
 * CPU storage: a typed array over a block of the kernels' shared WebAssembly
 * memory (`ptr` is its byte offset), or, when `ptr` is -1, a view of memory
 * the backend does not own (another thread's SharedArrayBuffer, say), which
 * kernels copy into the heap when they need it there.
 */
export class CpuData {
  constructor(private view: TypedArray, public ptr: number) {}

  /**
   * The values, once the kernel calls queued before this read have finished
   * (engine/cpu/wasm/team.ts): any of them may write these, or read memory
   * that JavaScript is about to reuse.
   */
  get values(): TypedArray {
    team.sync();
    return this.view;
  }

  set values(view: TypedArray) {
    team.sync();
    this.view = view;
  }

  /** The typed array itself, without waiting for queued calls: for its length and type, never its contents. */
  get layout(): TypedArray {
    return this.view;
  }

  get borrowed(): boolean {
    return this.ptr < 0;
  }
}

/**
 * Tensors live in the shared WebAssembly memory (engine/cpu/wasm/heap.ts), so
 * the kernels and the threads of the kernel team read and write them in
 * place, and any worker thread can be handed a view of them. Released blocks
 * are reused for the next tensor of that size.
 */
export class CpuBackend implements Backend {
  readonly name = "cpu";
  private buffers = 0;
  private bytes = 0;

  /** New storage, zero-filled. */
  allocate(size: number, dtype: DType): DataId {
    const d = this.allocateUninit(size, dtype);
    d.values.fill(0);
    return d;
  }

  /** New storage with undefined contents, for kernels that write every element. */
  allocateUninit(size: number, dtype: DType): CpuData {
    const ptr = wasm.heap.alloc(size * 4);
    const buffer = wasm.memory.buffer;
    const values = dtype === "float32" ? new Float32Array(buffer, ptr, size) : new Int32Array(buffer, ptr, size);
    this.buffers++;
    this.bytes += values.byteLength;
    return new CpuData(values, ptr);
  }

  write(values: TypedArray): DataId {
    const d = this.allocateUninit(values.length, dtypeOfArray(values));
    d.values.set(values);
    return d;
  }

  /** Wraps an existing array (a view into shared memory, say) without copying it. */
  adopt(values: TypedArray): DataId {
    this.buffers++;
    return new CpuData(values, -1);
  }

  /**
   * Points existing storage at `view` (same length and type) and frees what it
   * held: how a worker makes a module's parameters read weights that another
   * thread wrote into shared memory, without a copy. Tensors and modules that
   * hold the storage see the new values.
   */
  rebind(dataId: DataId, view: TypedArray): void {
    const d = dataId as CpuData;
    const had = d.layout;
    if (view.length !== had.length || view.constructor !== had.constructor) {
      throw new Error(`rebind: expected a ${had.constructor.name} of ${had.length} values, received a ${view.constructor.name} of ${view.length}`);
    }
    this.free(d);
    d.values = view;
    d.ptr = -1;
  }

  values(dataId: DataId): TypedArray {
    return (dataId as CpuData).values;
  }

  f32(dataId: DataId): Float32Array {
    return (dataId as CpuData).values as Float32Array;
  }

  i32(dataId: DataId): Int32Array {
    return (dataId as CpuData).values as Int32Array;
  }

  async read(dataId: DataId): Promise<TypedArray> {
    return this.readSync(dataId);
  }

  readSync(dataId: DataId): TypedArray {
    return (dataId as CpuData).values.slice();
  }

  release(dataId: DataId): void {
    this.buffers--;
    this.free(dataId as CpuData);
  }

  memory(): MemoryStats {
    return { buffers: this.buffers, bytes: this.bytes, pooledBytes: wasm.heap.stats().freeBytes };
  }

  private free(d: CpuData): void {
    if (d.borrowed) return;
    this.bytes -= d.layout.byteLength;
    wasm.heap.release(d.ptr);
  }
}

export const cpuBackend = new CpuBackend();
