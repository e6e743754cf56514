import type { TensorInfo } from "../../backend.js";
import type { BatchNormAttrs } from "../../kernel_names.js";
import type { KernelArgs } from "../../kernel_registry.js";
import { batchNormGradInputs, batchNormInputs } from "../../op_checks.js";
import type { CpuBackend } from "../backend_cpu.js";
import { wasm } from "../wasm/module.js";
import { team } from "../wasm/team.js";
import { HeapOperands, f64Words } from "./heap_operands.js";

// Batch normalisation over axis 1 of [N, C, ...]. Inputs: x, then gamma and
// beta when affine, then the running mean and variance when not normalising
// with batch statistics. Outputs: y, the mean and 1/sqrt(var + eps) used, and
// the biased batch variance (for the caller's running-average update). A
// fused activation is applied to y in the normalising pass, and its mask to
// dy in the gradient's passes.
// Statistics and gradients are WebAssembly tasks of one channel each,
// summed in f64; the normalising pass is SIMD over blocks of rows.

/** Rows ([N, C] pairs) per task of the normalising pass: fixed by shape, never by thread count. */
const rowsPerTask = (inner: number) => Math.max(1, Math.ceil(65536 / inner));

/** The fused activation's code in engine/cpu/wasm/assembly/elementwise.ts. */
const ACTIVATION_CODE = { none: -1, relu: 0, relu6: 1 } as const;

export function batchNormKernel({ inputs, attrs, backend }: KernelArgs<BatchNormAttrs, CpuBackend>): TensorInfo[] {
  const { x, n, c, inner, activation } = batchNormInputs(inputs, attrs);
  const act = ACTIVATION_CODE[activation ?? "none"];
  const meanD = backend.allocateUninit(c, "float32"), invD = backend.allocateUninit(c, "float32"), varD = backend.allocateUninit(c, "float32");
  const ops = new HeapOperands(backend);
  const affine = wasm.heap.alloc(8 * c);
  try {
    const px = ops.ptr(x);
    if (attrs.batchStats) {
      team.run("bnStatsTask", [px, meanD.ptr, varD.ptr, n, c, inner], c, 0, 3 * n * c * inner);
    } else {
      const k = attrs.affine ? 3 : 1;
      meanD.values.set(backend.f32(inputs[k]!.dataId));
      varD.values.set(backend.f32(inputs[k + 1]!.dataId));
    }
    // y = x * scale + shift per channel, all in kernels: the calls stay queued (team.ts)
    const [gamma, beta] = attrs.affine ? [ops.ptr(inputs[1]!), ops.ptr(inputs[2]!)] : [0, 0];
    team.run("bnAffineTask", [meanD.ptr, varD.ptr, gamma, beta, invD.ptr, affine, affine + 4 * c, c, ...f64Words(attrs.eps)], 1, 0, 0);
    const y = ops.output(n * c * inner);
    const per = rowsPerTask(inner);
    team.run("bnApplyTask", [px, y.ptr, affine, affine + 4 * c, n, c, inner, per, act],
      Math.ceil((n * c) / per), 0, 2 * n * c * inner);
    const vec = [c];
    return [
      { dataId: y.data, shape: x.shape, dtype: "float32" },
      { dataId: meanD, shape: vec, dtype: "float32" },
      { dataId: invD, shape: vec, dtype: "float32" },
      { dataId: varD, shape: vec, dtype: "float32" },
    ];
  } finally {
    wasm.heap.release(affine);
    ops.release();
  }
}

/**
 * Inputs [dy, x, mean, invstd, gamma?, y?] (y, the forward output, with a
 * fused activation); outputs [dx, dgamma?, dbeta?]. With
 * batch statistics the mean and variance depend on x and the full formula
 * applies; with running statistics they are constants.
 */
export function batchNormGradKernel({ inputs, attrs, backend }: KernelArgs<BatchNormAttrs, CpuBackend>): TensorInfo[] {
  const { dy, x, mean: meanT, invstd: invT, gamma: gammaT, y, n, c, inner, activation } = batchNormGradInputs(inputs, attrs);
  const ops = new HeapOperands(backend);
  try {
    const dx = ops.output(n * c * inner), dg = ops.output(c), db = ops.output(c);
    const gamma = gammaT === undefined ? 0 : ops.ptr(gammaT);
    team.run("bnGradTask", [ops.ptr(dy), ops.ptr(x), ops.ptr(meanT), ops.ptr(invT), gamma, dx.ptr, dg.ptr, db.ptr, n, c, inner,
      attrs.batchStats ? 1 : 0, y === undefined ? 0 : ops.ptr(y), ACTIVATION_CODE[activation ?? "none"]], c, 0, 8 * n * c * inner);
    const outs: TensorInfo[] = [{ dataId: dx.data, shape: x.shape, dtype: "float32" }];
    if (attrs.affine) outs.push({ dataId: dg.data, shape: [c], dtype: "float32" }, { dataId: db.data, shape: [c], dtype: "float32" });
    else { backend.release(dg.data); backend.release(db.data); }
    return outs;
  } finally {
    ops.release();
  }
}
