import type { TensorInfo } from "../../backend.js";
import type { CrossEntropyAttrs } from "../../kernel_names.js";
import type { KernelArgs } from "../../kernel_registry.js";
import { checkLabels, checkLogSoftmaxInput } from "../../op_checks.js";
import { sizeOf } from "../../shape.js";
import type { GpuData, WebGpuBackend } from "../backend_webgpu.js";
import { PRELUDE, f32Bits, groupsFor, perElement, storage } from "../wgsl.js";
import { sumInto } from "./reduce.js";

// Softmax-family kernels work on the last axis, one thread per row of length c
// (rows are class scores: short).

const LOG_SOFTMAX_ROW = /* wgsl */ `
fn logSoftmaxRow(r: u32, c: u32) {
  var mx = x[r * c];
  for (var j = 1u; j < c; j++) { mx = max(mx, x[r * c + j]); }
  var s = 0.0;
  for (var j = 0u; j < c; j++) { s += exp(x[r * c + j] - mx); }
  let lse = mx + log(s);
  for (var j = 0u; j < c; j++) { logp[r * c + j] = x[r * c + j] - lse; }
}`;

const rowMain = (body: string) => `${perElement()}
  let r = i;
  let c = P(1u);
  ${body}
}`;

const LOG_SOFTMAX = {
  key: "logSoftmax",
  code: () => `${PRELUDE}
${storage(1, "x", "f32")}
${storage(2, "logp", "f32", true)}
${LOG_SOFTMAX_ROW}
${rowMain("logSoftmaxRow(r, c);")}`,
};

export function logSoftmaxKernel({ inputs, backend }: KernelArgs<unknown, WebGpuBackend>): TensorInfo[] {
  const x = inputs[0]!;
  checkLogSoftmaxInput(x);
  const c = x.shape[x.shape.length - 1]!, n = sizeOf(x.shape);
  const out = backend.output(n, "float32");
  const rows = c > 0 ? n / c : 0;
  backend.dispatch(LOG_SOFTMAX, [x.dataId as GpuData, out], [rows, c], groupsFor(rows));
  return [{ dataId: out, shape: x.shape, dtype: "float32" }];
}

const LOG_SOFTMAX_GRAD = {
  key: "logSoftmaxGrad",
  code: () => `${PRELUDE}
${storage(1, "dy", "f32")}
${storage(2, "y", "f32")}
${storage(3, "dx", "f32", true)}
${rowMain(`var s = 0.0;
  for (var j = 0u; j < c; j++) { s += dy[r * c + j]; }
  for (var j = 0u; j < c; j++) { dx[r * c + j] = dy[r * c + j] - exp(y[r * c + j]) * s; }`)}`,
};

/** dx = dy - softmax * sum(dy) per row, from the log-softmax output y. */
export function logSoftmaxGradKernel({ inputs, backend }: KernelArgs<unknown, WebGpuBackend>): TensorInfo[] {
  const [dy, y] = inputs as [TensorInfo, TensorInfo];
  const c = y.shape[y.shape.length - 1]!, n = sizeOf(y.shape);
  const out = backend.output(n, "float32");
  const rows = c > 0 ? n / c : 0;
  backend.dispatch(LOG_SOFTMAX_GRAD, [dy.dataId as GpuData, y.dataId as GpuData, out], [rows, c], groupsFor(rows));
  return [{ dataId: out, shape: y.shape, dtype: "float32" }];
}

// A label outside [0, c) makes its row's loss NaN: the GPU cannot raise, and
// NaN reaches the caller with the loss it reads.
const CROSS_ENTROPY_ROWS = {
  key: "crossEntropyRows",
  code: () => `${PRELUDE}
${storage(1, "x", "f32")}
${storage(2, "labels", "i32")}
${storage(3, "logp", "f32", true)}
${storage(4, "rowLoss", "f32", true)}
${LOG_SOFTMAX_ROW}
${rowMain(`logSoftmaxRow(r, c);
  let eps = PF(2u);
  let label = labels[r];
  if (label < 0 || u32(label) >= c) { rowLoss[r] = nan(); return; }
  var rowSum = 0.0;
  for (var j = 0u; j < c; j++) { rowSum += logp[r * c + j]; }
  rowLoss[r] = -((1.0 - eps) * logp[r * c + u32(label)] + (eps / f32(c)) * rowSum);`)}`,
};

/** Mean over the batch of the label-smoothed cross-entropy; also outputs the log-softmax for the gradient. */
export function softmaxCrossEntropyKernel({ inputs, attrs, backend }: KernelArgs<CrossEntropyAttrs, WebGpuBackend>): TensorInfo[] {
  const [logits, labels] = inputs as [TensorInfo, TensorInfo];
  checkLabels("SoftmaxCrossEntropy", logits, labels);
  const [b, c] = logits.shape as [number, number];
  const logp = backend.output(b * c, "float32"), rowLoss = backend.output(b, "float32");
  backend.dispatch(CROSS_ENTROPY_ROWS, [logits.dataId as GpuData, labels.dataId as GpuData, logp, rowLoss], [b, c, f32Bits(attrs.labelSmoothing)], groupsFor(b));
  const loss = sumInto(backend, { dataId: rowLoss, shape: [b], dtype: "float32" }, [0], b > 0 ? 1 / b : 0);
  backend.release(rowLoss);
  return [{ dataId: loss, shape: [], dtype: "float32" }, { dataId: logp, shape: [b, c], dtype: "float32" }];
}

const CROSS_ENTROPY_GRAD = {
  key: "crossEntropyGrad",
  code: () => `${PRELUDE}
${storage(1, "dl", "f32")}
${storage(2, "logp", "f32")}
${storage(3, "labels", "i32")}
${storage(4, "dx", "f32", true)}
${perElement("P(0u) * P(1u)")}
  let b = P(0u);
  let c = P(1u);
  let eps = PF(2u);
  let j = i % c;
  let q = select(0.0, 1.0 - eps, i32(j) == labels[i / c]) + eps / f32(c);
  dx[i] = dl[0] / f32(b) * (exp(logp[i]) - q);
}`,
};

/** Inputs [dLoss (scalar), logp, labels]: dlogits = dLoss * (softmax - q) / batch. */
export function softmaxCrossEntropyGradKernel({ inputs, attrs, backend }: KernelArgs<CrossEntropyAttrs, WebGpuBackend>): TensorInfo[] {
  const [dl, logp, labels] = inputs as [TensorInfo, TensorInfo, TensorInfo];
  checkLabels("SoftmaxCrossEntropyGrad", logp, labels);
  const [b, c] = logp.shape as [number, number];
  const out = backend.output(b * c, "float32");
  backend.dispatch(CROSS_ENTROPY_GRAD, [dl.dataId as GpuData, logp.dataId as GpuData, labels.dataId as GpuData, out], [b, c, f32Bits(attrs.labelSmoothing)], groupsFor(b * c));
  return [{ dataId: out, shape: [b, c], dtype: "float32" }];
}
