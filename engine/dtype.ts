/** Element types a tensor can hold: float32 for values, int32 for labels and indices. */
export type DType = "float32" | "int32";

export type TypedArray = Float32Array | Int32Array;

export function bytesPerElement(_dtype: DType): number {
  return 4;
}

export function allocArray(dtype: DType, size: number, shared = false): TypedArray {
  const buffer = shared ? new SharedArrayBuffer(size * 4) : new ArrayBuffer(size * 4);
  return dtype === "float32" ? new Float32Array(buffer) : new Int32Array(buffer);
}

export function dtypeOfArray(values: TypedArray): DType {
  return values instanceof Float32Array ? "float32" : "int32";
}
