import type { Backend, DataId, MemoryStats } from "../backend.js";
import { allocArray, dtypeOfArray, type DType, type TypedArray } from "../dtype.js";

/**
 * CPU storage: one typed array, optionally over a SharedArrayBuffer.
 * `borrowed` storage (another thread's shared memory) is not counted in
 * this backend's bytes.
 */
export class CpuData {
  constructor(public values: TypedArray, public borrowed = false) {}
}

export class CpuBackend implements Backend {
  readonly name = "cpu";
  /**
   * Allocate new storage in SharedArrayBuffers, so worker threads can read
   * it without a copy. Off by default: shared buffers cost a little more to create.
   */
  useSharedMemory = false;
  /** Bytes of released arrays kept for reuse at most (the pool drops what does not fit). */
  poolLimitBytes = 64 * 2 ** 20;
  private buffers = 0;
  private bytes = 0;
  /**
   * Released arrays by (dtype, length, shared), reused by the next allocation
   * of that size: a training step allocates the same sizes every time, and a
   * fresh multi-megabyte buffer costs page faults and zeroing by the OS.
   */
  private readonly pool = new Map<string, TypedArray[]>();
  private pooledBytes = 0;

  allocate(size: number, dtype: DType): DataId {
    const reused = this.take(dtype, size);
    return this.track(reused ? reused.fill(0) : allocArray(dtype, size, this.useSharedMemory));
  }

  write(values: TypedArray): DataId {
    const dtype = dtypeOfArray(values);
    const copy = this.take(dtype, values.length) ?? allocArray(dtype, values.length, this.useSharedMemory);
    copy.set(values);
    return this.track(copy);
  }

  private key(dtype: DType, size: number, shared: boolean): string {
    return `${dtype}:${size}:${shared ? "s" : "p"}`;
  }

  private take(dtype: DType, size: number): TypedArray | undefined {
    const a = this.pool.get(this.key(dtype, size, this.useSharedMemory))?.pop();
    if (a !== undefined) this.pooledBytes -= a.byteLength;
    return a;
  }

  /** Wraps an existing array (a view into shared memory, say) without copying it. */
  adopt(values: TypedArray): DataId {
    this.buffers++;
    return new CpuData(values, true);
  }

  /**
   * Points existing storage at `view` (same length and type) and frees what it
   * held: how a worker makes a module's parameters read weights that another
   * thread wrote into shared memory, without a copy. Tensors and modules that
   * hold the storage see the new values.
   */
  rebind(dataId: DataId, view: TypedArray): void {
    const d = dataId as CpuData;
    if (view.length !== d.values.length || view.constructor !== d.values.constructor) {
      throw new Error(`rebind: expected a ${d.values.constructor.name} of ${d.values.length} values, received a ${view.constructor.name} of ${view.length}`);
    }
    if (!d.borrowed) this.bytes -= d.values.byteLength;
    d.values = view;
    d.borrowed = true;
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
    const d = dataId as CpuData;
    this.buffers--;
    if (d.borrowed) return;
    this.bytes -= d.values.byteLength;
    if (this.pooledBytes + d.values.byteLength > this.poolLimitBytes) return;
    const k = this.key(dtypeOfArray(d.values), d.values.length, d.values.buffer instanceof SharedArrayBuffer);
    let list = this.pool.get(k);
    if (list === undefined) this.pool.set(k, (list = []));
    list.push(d.values);
    this.pooledBytes += d.values.byteLength;
  }

  memory(): MemoryStats {
    return { buffers: this.buffers, bytes: this.bytes, pooledBytes: this.pooledBytes };
  }

  private track(values: TypedArray): CpuData {
    this.buffers++;
    this.bytes += values.byteLength;
    return new CpuData(values);
  }
}

export const cpuBackend = new CpuBackend();
