import type { TensorInfo } from "../../backend.js";
import { OpError } from "../../errors.js";
import type { CrossEntropyAttrs } from "../../kernel_names.js";
import type { KernelArgs } from "../../kernel_registry.js";
import { checkLabels, checkLogSoftmaxInput } from "../../op_checks.js";
import type { CpuBackend } from "../backend_cpu.js";

// Softmax-family kernels work on the last axis: rows of length `c`.

function logSoftmaxRows(x: Float32Array, out: Float32Array, c: number): void {
  for (let r = 0; r < x.length; r += c) {
    let max = -Infinity;
    for (let j = 0; j < c; j++) max = Math.max(max, x[r + j]!);
    let s = 0;
    for (let j = 0; j < c; j++) s += Math.exp(x[r + j]! - max);
    const lse = max + Math.log(s);
    for (let j = 0; j < c; j++) out[r + j] = x[r + j]! - lse;
  }
}

export function logSoftmaxKernel({ inputs, backend }: KernelArgs<unknown, CpuBackend>): TensorInfo[] {
  const x = inputs[0]!;
  checkLogSoftmaxInput(x);
  const xv = backend.f32(x.dataId);
  const outId = backend.allocateUninit(xv.length, "float32");
  logSoftmaxRows(xv, backend.f32(outId), x.shape[x.shape.length - 1]!);
  return [{ dataId: outId, shape: x.shape, dtype: "float32" }];
}

/** dx = dy - softmax * sum(dy) per row, from the log-softmax output y. */
export function logSoftmaxGradKernel({ inputs, backend }: KernelArgs<unknown, CpuBackend>): TensorInfo[] {
  const [dy, y] = inputs as [TensorInfo, TensorInfo];
  const c = y.shape[y.shape.length - 1]!;
  const dyv = backend.f32(dy.dataId), yv = backend.f32(y.dataId);
  const outId = backend.allocateUninit(yv.length, "float32");
  const dx = backend.f32(outId);
  for (let r = 0; r < yv.length; r += c) {
    let s = 0;
    for (let j = 0; j < c; j++) s += dyv[r + j]!;
    for (let j = 0; j < c; j++) dx[r + j] = dyv[r + j]! - Math.exp(yv[r + j]!) * s;
  }
  return [{ dataId: outId, shape: y.shape, dtype: "float32" }];
}

/**
 * Mean over the batch of -sum_c q_c log p_c with q = (1 - eps) onehot + eps / C
 * (PyTorch's label smoothing). Outputs the scalar loss and the log-softmax,
 * which the gradient reuses.
 */
export function softmaxCrossEntropyKernel({ inputs, attrs, backend }: KernelArgs<CrossEntropyAttrs, CpuBackend>): TensorInfo[] {
  const [logits, labels] = inputs as [TensorInfo, TensorInfo];
  checkLabels("SoftmaxCrossEntropy", logits, labels);
  const [b, c] = logits.shape as [number, number];
  const eps = attrs.labelSmoothing;
  const lv = backend.i32(labels.dataId);
  const logpId = backend.allocateUninit(b * c, "float32");
  const logp = backend.f32(logpId);
  logSoftmaxRows(backend.f32(logits.dataId), logp, c);
  let total = 0;
  for (let r = 0; r < b; r++) {
    const label = lv[r]!;
    if (label < 0 || label >= c || !Number.isInteger(label)) throw new OpError("SoftmaxCrossEntropy", `labels in [0, ${c})`, `${label} at row ${r}`);
    let rowSum = 0;
    for (let j = 0; j < c; j++) rowSum += logp[r * c + j]!;
    total -= (1 - eps) * logp[r * c + label]! + (eps / c) * rowSum;
  }
  const lossId = backend.allocateUninit(1, "float32");
  backend.f32(lossId)[0] = b > 0 ? total / b : 0;
  return [{ dataId: lossId, shape: [], dtype: "float32" }, { dataId: logpId, shape: [b, c], dtype: "float32" }];
}

/** Inputs [dLoss (scalar), logp, labels]: dlogits = dLoss * (softmax - q) / batch. */
export function softmaxCrossEntropyGradKernel({ inputs, attrs, backend }: KernelArgs<CrossEntropyAttrs, CpuBackend>): TensorInfo[] {
  const [dl, logp, labels] = inputs as [TensorInfo, TensorInfo, TensorInfo];
  checkLabels("SoftmaxCrossEntropyGrad", logp, labels);
  const [b, c] = logp.shape as [number, number];
  const eps = attrs.labelSmoothing;
  const scale = backend.f32(dl.dataId)[0]! / b;
  const lp = backend.f32(logp.dataId), lv = backend.i32(labels.dataId);
  const outId = backend.allocateUninit(b * c, "float32");
  const dx = backend.f32(outId);
  for (let r = 0; r < b; r++) {
    for (let j = 0; j < c; j++) {
      const q = (j === lv[r] ? 1 - eps : 0) + eps / c;
      dx[r * c + j] = scale * (Math.exp(lp[r * c + j]!) - q);
    }
  }
  return [{ dataId: outId, shape: [b, c], dtype: "float32" }];
}
