import type { TensorInfo } from "../../backend.js";
import type { MatMulAttrs } from "../../kernel_names.js";
import type { KernelArgs } from "../../kernel_registry.js";
import { matmulGeometry } from "../../matmul_geometry.js";
import type { GpuData, WebGpuBackend } from "../backend_webgpu.js";
import { autoGemmPath, runGemm, stridedAddressing, stridedOperands } from "./gemm.js";

/** Batched or plain matmul; transposes are strides, an unbatched operand has batch stride 0. */
export function matmulKernel({ inputs, attrs, backend }: KernelArgs<MatMulAttrs, WebGpuBackend>): TensorInfo[] {
  const [left, right] = inputs as [TensorInfo, TensorInfo];
  const g = matmulGeometry(left, right, attrs);
  const out = backend.output(g.batch * g.m * g.n, "float32");
  const path = backend.paths.matmul === "auto" ? autoGemmPath(g.m, g.n, g.batch) : backend.paths.matmul;
  const a = { outer: g.batchA === 1 ? 0 : g.ar * g.ac, inner: 0, s0: attrs.transposeA ? 1 : g.ac, s1: attrs.transposeA ? g.ac : 1 };
  const b = { outer: g.batchB === 1 ? 0 : g.br * g.bc, inner: 0, s0: attrs.transposeB ? 1 : g.bc, s1: attrs.transposeB ? g.bc : 1 };
  const addressing = stridedAddressing(1, a, b, { outer: g.m * g.n, inner: 0, s0: g.n, s1: 1 });
  runGemm(backend, stridedOperands(g.k, g.n, a, b), path, { m: g.m, n: g.n, k: g.k, batch: g.batch }, [left.dataId as GpuData, right.dataId as GpuData, out], addressing);
  return [{ dataId: out, shape: g.outShape, dtype: "float32" }];
}
