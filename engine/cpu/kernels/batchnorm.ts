import type { TensorInfo } from "../../backend.js";
import { OpError } from "../../errors.js";
import type { BatchNormAttrs } from "../../kernel_names.js";
import type { KernelArgs } from "../../kernel_registry.js";
import { batchNormDims } from "../../op_checks.js";
import type { CpuBackend } from "../backend_cpu.js";

// Batch normalisation over axis 1 of [N, C, ...]. Inputs: x, then gamma and
// beta when affine, then the running mean and variance when not normalising
// with batch statistics. Outputs: y, the mean and 1/sqrt(var + eps) used, and
// the biased batch variance (for the caller's running-average update).

export function batchNormKernel({ inputs, attrs, backend }: KernelArgs<BatchNormAttrs, CpuBackend>): TensorInfo[] {
  const x = inputs[0]!;
  const expected = 1 + (attrs.affine ? 2 : 0) + (attrs.batchStats ? 0 : 2);
  if (inputs.length !== expected) throw new OpError("BatchNorm", `${expected} inputs`, `${inputs.length}`);
  const { n, c, inner } = batchNormDims("BatchNorm", x, inputs.slice(1));
  const xv = backend.f32(x.dataId);
  const gamma = attrs.affine ? backend.f32(inputs[1]!.dataId) : null;
  const beta = attrs.affine ? backend.f32(inputs[2]!.dataId) : null;
  const meanId = backend.allocate(c, "float32"), invId = backend.allocate(c, "float32"), varId = backend.allocate(c, "float32");
  const mean = backend.f32(meanId), inv = backend.f32(invId), vr = backend.f32(varId);
  const m = n * inner;
  if (attrs.batchStats) {
    for (let ch = 0; ch < c; ch++) {
      let s = 0;
      for (let b = 0; b < n; b++) { const o = (b * c + ch) * inner; for (let i = 0; i < inner; i++) s += xv[o + i]!; }
      const mu = s / m;
      let q = 0;
      for (let b = 0; b < n; b++) { const o = (b * c + ch) * inner; for (let i = 0; i < inner; i++) { const d = xv[o + i]! - mu; q += d * d; } }
      mean[ch] = mu;
      vr[ch] = q / m;
    }
  } else {
    const k = attrs.affine ? 3 : 1;
    mean.set(backend.f32(inputs[k]!.dataId));
    vr.set(backend.f32(inputs[k + 1]!.dataId));
  }
  for (let ch = 0; ch < c; ch++) inv[ch] = 1 / Math.sqrt(vr[ch]! + attrs.eps);
  const yId = backend.allocate(xv.length, "float32");
  const y = backend.f32(yId);
  for (let b = 0; b < n; b++) {
    for (let ch = 0; ch < c; ch++) {
      const scale = inv[ch]! * (gamma ? gamma[ch]! : 1);
      const shift = (beta ? beta[ch]! : 0) - mean[ch]! * scale;
      const o = (b * c + ch) * inner;
      for (let i = 0; i < inner; i++) y[o + i] = xv[o + i]! * scale + shift;
    }
  }
  const vec = [c];
  return [
    { dataId: yId, shape: x.shape, dtype: "float32" },
    { dataId: meanId, shape: vec, dtype: "float32" },
    { dataId: invId, shape: vec, dtype: "float32" },
    { dataId: varId, shape: vec, dtype: "float32" },
  ];
}

/**
 * Inputs [dy, x, mean, invstd, gamma?]; outputs [dx, dgamma?, dbeta?]. With
 * batch statistics the mean and variance depend on x and the full formula
 * applies; with running statistics they are constants.
 */
export function batchNormGradKernel({ inputs, attrs, backend }: KernelArgs<BatchNormAttrs, CpuBackend>): TensorInfo[] {
  const [dy, x, meanT, invT] = inputs as [TensorInfo, TensorInfo, TensorInfo, TensorInfo];
  const { n, c, inner } = batchNormDims("BatchNormGrad", x, [meanT, invT]);
  const dyv = backend.f32(dy.dataId), xv = backend.f32(x.dataId);
  const mean = backend.f32(meanT.dataId), inv = backend.f32(invT.dataId);
  const gamma = attrs.affine ? backend.f32(inputs[4]!.dataId) : null;
  const dxId = backend.allocate(xv.length, "float32");
  const dx = backend.f32(dxId);
  const dgId = backend.allocate(c, "float32"), dbId = backend.allocate(c, "float32");
  const dg = backend.f32(dgId), db = backend.f32(dbId);
  const m = n * inner;
  for (let ch = 0; ch < c; ch++) {
    const mu = mean[ch]!, is = inv[ch]!, g = gamma ? gamma[ch]! : 1;
    let sumDy = 0, sumDyXhat = 0;
    for (let b = 0; b < n; b++) {
      const o = (b * c + ch) * inner;
      for (let i = 0; i < inner; i++) { const d = dyv[o + i]!; sumDy += d; sumDyXhat += d * (xv[o + i]! - mu) * is; }
    }
    dg[ch] = sumDyXhat;
    db[ch] = sumDy;
    const k = g * is;
    for (let b = 0; b < n; b++) {
      const o = (b * c + ch) * inner;
      if (attrs.batchStats) {
        for (let i = 0; i < inner; i++) {
          const xhat = (xv[o + i]! - mu) * is;
          dx[o + i] = (k / m) * (m * dyv[o + i]! - sumDy - xhat * sumDyXhat);
        }
      } else {
        for (let i = 0; i < inner; i++) dx[o + i] = k * dyv[o + i]!;
      }
    }
  }
  const outs: TensorInfo[] = [{ dataId: dxId, shape: x.shape, dtype: "float32" }];
  if (attrs.affine) outs.push({ dataId: dgId, shape: [c], dtype: "float32" }, { dataId: dbId, shape: [c], dtype: "float32" });
  else { backend.release(dgId); backend.release(dbId); }
  return outs;
}
