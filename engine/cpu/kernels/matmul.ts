import type { TensorInfo } from "../../backend.js";
import type { MatMulAttrs } from "../../kernel_names.js";
import type { KernelArgs } from "../../kernel_registry.js";
import { matmulGeometry } from "../../matmul_geometry.js";
import type { CpuBackend } from "../backend_cpu.js";
import { wasm } from "../wasm/module.js";

export interface GemmOperand {
  /** Source values and the offset of this matrix in them. */
  values: Float32Array;
  offset: number;
  /** Rows and columns as stored (before any transpose). */
  rows: number;
  cols: number;
  transposed: boolean;
}

/**
 * C = op(A) op(B) on the WebAssembly SIMD GEMM. Copies both operands into
 * the kernel's memory (transposes are strides there, never copies), runs,
 * and writes C (m x n, row-major) into `out` at `outOffset`.
 */
export function gemm(a: GemmOperand, b: GemmOperand, out: Float32Array, outOffset: number): void {
  const m = a.transposed ? a.cols : a.rows;
  const k = a.transposed ? a.rows : a.cols;
  const n = b.transposed ? b.rows : b.cols;
  const [pa, pb, pc, ps] = wasm.layout(m * k, k * n, m * n, wasm.fn.gemmScratchFloats(m, n));
  const heap = wasm.f32;
  heap.set(a.values.subarray(a.offset, a.offset + m * k), pa! >> 2);
  heap.set(b.values.subarray(b.offset, b.offset + k * n), pb! >> 2);
  wasm.fn.sgemm(m, n, k,
    pa!, a.transposed ? 1 : a.cols, a.transposed ? a.cols : 1,
    pb!, b.transposed ? 1 : b.cols, b.transposed ? b.cols : 1,
    pc!, n, 0, ps!);
  out.set(heap.subarray(pc! >> 2, (pc! >> 2) + m * n), outOffset);
}

/** Batched or plain matmul: [..., m, k] x [..., k, n] with equal batch sizes, or one side unbatched. */
export function matmulKernel({ inputs, attrs, backend }: KernelArgs<MatMulAttrs, CpuBackend>): TensorInfo[] {
  const [a, b] = inputs as [TensorInfo, TensorInfo];
  const { transposeA, transposeB } = attrs;
  const { m, n, ar, ac, br, bc, batch, batchA, batchB, outShape } = matmulGeometry(a, b, attrs);
  const outId = backend.allocate(batch * m * n, "float32");
  const out = backend.f32(outId);
  const av = backend.f32(a.dataId), bv = backend.f32(b.dataId);
  for (let i = 0; i < batch; i++) {
    gemm(
      { values: av, offset: batchA === 1 ? 0 : i * ar * ac, rows: ar, cols: ac, transposed: transposeA },
      { values: bv, offset: batchB === 1 ? 0 : i * br * bc, rows: br, cols: bc, transposed: transposeB },
      out, i * m * n,
    );
  }
  return [{ dataId: outId, shape: outShape, dtype: "float32" }];
}
