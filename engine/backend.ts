import type { DType, TypedArray } from "./dtype.js";

/**
 * Opaque handle to a backend's storage for one buffer. Each backend defines
 * what lies behind it (a typed array on the CPU, a GPU buffer on WebGPU).
 */
export type DataId = object;

/** What a kernel sees of a tensor: its storage handle, shape and dtype. */
export interface TensorInfo {
  readonly dataId: DataId;
  readonly shape: readonly number[];
  readonly dtype: DType;
}

export interface MemoryStats {
  /** Buffers currently allocated by this backend. */
  buffers: number;
  /** Bytes currently allocated by this backend. */
  bytes: number;
  /** Bytes of released storage a backend keeps for reuse. */
  pooledBytes?: number;
}

/**
 * A backend owns storage only; compute lives in kernels registered for it.
 * Values are read back asynchronously; `readSync` exists where a backend can
 * answer without waiting (the CPU) and throws elsewhere.
 */
export interface Backend {
  readonly name: string;
  /** New zero-filled storage. */
  allocate(size: number, dtype: DType): DataId;
  /** New storage holding a copy of `values`. */
  write(values: TypedArray): DataId;
  read(dataId: DataId): Promise<TypedArray>;
  readSync(dataId: DataId): TypedArray;
  /** Frees the storage; called once, when the last tensor using it is disposed. */
  release(dataId: DataId): void;
  memory(): MemoryStats;
  /**
   * Runs a kernel this backend has no version of (the CPU one, say), for
   * backends that can; without it such a kernel is an error.
   */
  fallback?(kernel: string, inputs: readonly TensorInfo[], attrs: unknown): TensorInfo[];
}
