import type { TensorInfo } from "../../backend.js";
import type { MatMulAttrs } from "../../kernel_names.js";
import type { KernelArgs } from "../../kernel_registry.js";
import { matmulGeometry } from "../../matmul_geometry.js";
import type { CpuBackend } from "../backend_cpu.js";
import { team } from "../wasm/team.js";
import { wasm } from "../wasm/module.js";
import { HeapOperands } from "./heap_operands.js";

/**
 * Batched or plain matmul on the WebAssembly SIMD GEMM, in place on the heap
 * (transposes are strides, never copies). Each batch item is split into
 * blocks of rows (or columns, whichever is longer) for the thread team. A
 * product without accumulation sums each output over k in the same order
 * whatever the block, so the split never changes the result.
 */
export function matmulKernel({ inputs, attrs, backend }: KernelArgs<MatMulAttrs, CpuBackend>): TensorInfo[] {
  const [a, b] = inputs as [TensorInfo, TensorInfo];
  const { transposeA, transposeB } = attrs;
  const { m, n, k, ar, ac, br, bc, batch, batchA, batchB, outShape } = matmulGeometry(a, b, attrs);
  const ops = new HeapOperands(backend);
  try {
    const pa = ops.ptr(a), pb = ops.ptr(b);
    const out = ops.output(batch * m * n);
    const splitRows = m >= n;
    const [len, tile] = splitRows ? [m, 6] : [n, 8];
    const wanted = Math.min(Math.ceil(team.threads / batch), Math.ceil(len / tile));
    const chunkSize = Math.ceil(Math.ceil(len / wanted) / tile) * tile;
    const chunks = Math.ceil(len / chunkSize);
    const scratch = wasm.fn.gemmScratchFloats(splitRows ? chunkSize : m, splitRows ? n : chunkSize);
    team.run("gemmTask", [
      m, n, k,
      pa, transposeA ? 1 : ac, transposeA ? ac : 1,
      pb, transposeB ? 1 : bc, transposeB ? bc : 1,
      out.ptr, n, 0,
      batchA === 1 ? 0 : ar * ac, batchB === 1 ? 0 : br * bc, m * n,
      chunks, splitRows ? 1 : 0, chunkSize,
    ], batch * chunks, scratch, 2 * batch * m * n * k);
    return [{ dataId: out.data, shape: outShape, dtype: "float32" }];
  } finally {
    ops.release();
  }
}
