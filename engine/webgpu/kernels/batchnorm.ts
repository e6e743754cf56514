import type { TensorInfo } from "../../backend.js";
import type { BatchNormAttrs, FusedActivation } from "../../kernel_names.js";
import type { KernelArgs } from "../../kernel_registry.js";
import { batchNormGradInputs, batchNormInputs } from "../../op_checks.js";
import type { GpuData, WebGpuBackend } from "../backend_webgpu.js";
import { PRELUDE, WG, f32Bits, groupsFor, perElement, storage } from "../wgsl.js";

// Batch normalisation over axis 1 of [N, C, ...], the CPU kernel's contract:
// inputs x, gamma and beta when affine, running mean and variance unless
// normalising with batch statistics; outputs y, mean, 1/sqrt(var + eps) and
// the biased batch variance. Per-channel sums take one workgroup per channel.
// A fused activation clamps y in the normalising pass; its gradient masks dy
// by the forward output y, which BatchNormGrad then takes as its last input.

const CH_WG = 256;

/** Uniforms: 0 n, 1 c, 2 inner, 3 eps. `at(j)` is the offset of the j-th of the channel's n * inner values. */
const CHANNEL_REDUCE = /* wgsl */ `
var<workgroup> partA: array<f32, ${CH_WG}>;
var<workgroup> partB: array<f32, ${CH_WG}>;
fn at(ch: u32, j: u32) -> u32 { let inner = P(2u); return ((j / inner) * P(1u) + ch) * inner + j % inner; }
fn reduce2(lid: u32) {
  workgroupBarrier();
  for (var h = ${CH_WG / 2}u; h > 0u; h >>= 1u) {
    if (lid < h) { partA[lid] += partA[lid + h]; partB[lid] += partB[lid + h]; }
    workgroupBarrier();
  }
}`;

const channelMain = (body: string) => `@compute @workgroup_size(${CH_WG}) fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let ch = wid.x;
  let m = P(0u) * P(2u);
  ${body}
}`;

const BATCH_STATS = {
  key: "bnBatchStats",
  code: () => `${PRELUDE}
${storage(1, "x", "f32")}
${storage(2, "mean", "f32", true)}
${storage(3, "inv", "f32", true)}
${storage(4, "vr", "f32", true)}
${CHANNEL_REDUCE}
${channelMain(`var s = 0.0;
  for (var j = lid; j < m; j += ${CH_WG}u) { s += x[at(ch, j)]; }
  partA[lid] = s;
  partB[lid] = 0.0;
  reduce2(lid);
  let mu = partA[0] / f32(m);
  workgroupBarrier();
  var q = 0.0;
  for (var j = lid; j < m; j += ${CH_WG}u) { let d = x[at(ch, j)] - mu; q += d * d; }
  partA[lid] = q;
  reduce2(lid);
  if (lid == 0u) {
    let v = partA[0] / f32(m);
    mean[ch] = mu;
    vr[ch] = v;
    inv[ch] = 1.0 / sqrt(v + PF(3u));
  }`)}`,
};

const RUNNING_STATS = {
  key: "bnRunningStats",
  code: () => `${PRELUDE}
${storage(1, "rm", "f32")}
${storage(2, "rv", "f32")}
${storage(3, "mean", "f32", true)}
${storage(4, "inv", "f32", true)}
${storage(5, "vr", "f32", true)}
@compute @workgroup_size(${WG}) fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let ch = gid.x;
  if (ch >= P(1u)) { return; }
  mean[ch] = rm[ch];
  vr[ch] = rv[ch];
  inv[ch] = 1.0 / sqrt(rv[ch] + PF(3u));
}`,
};

const elementMain = (body: string) => `${perElement("P(0u) * P(1u) * P(2u)")}
  let ch = (i / P(2u)) % P(1u);
  ${body}
}`;

/** WGSL that clamps `v` as the fused activation does. */
const activate = (activation: FusedActivation | undefined, v: string) =>
  activation === "relu" ? `max(${v}, 0.0)` : activation === "relu6" ? `clamp(${v}, 0.0, 6.0)` : v;

/** WGSL for dy[o] where the fused activation's output y[o] has slope 1, else 0 (dy[o] itself without one). */
const passed = (activation: FusedActivation | undefined, o: string) =>
  activation === undefined ? `dy[${o}]` : `select(0.0, dy[${o}], y[${o}] > 0.0${activation === "relu6" ? ` && y[${o}] < 6.0` : ""})`;

const applyProgram = (affine: boolean, activation: FusedActivation | undefined) => ({
  key: `bnApply:${affine}:${activation}`,
  code: () => `${PRELUDE}
${storage(1, "x", "f32")}
${storage(2, "mean", "f32")}
${storage(3, "inv", "f32")}
${affine ? `${storage(4, "gamma", "f32")}\n${storage(5, "beta", "f32")}` : ""}
${storage(affine ? 6 : 4, "y", "f32", true)}
${elementMain(`let scale = inv[ch]${affine ? " * gamma[ch]" : ""};
  y[i] = ${activate(activation, `(x[i] - mean[ch]) * scale${affine ? " + beta[ch]" : ""}`)};`)}`,
});

export function batchNormKernel({ inputs, attrs, backend }: KernelArgs<BatchNormAttrs, WebGpuBackend>): TensorInfo[] {
  const { x, n, c, inner, activation } = batchNormInputs(inputs, attrs);
  const data = inputs.map((t) => t.dataId as GpuData);
  const mean = backend.output(c, "float32"), inv = backend.output(c, "float32"), vr = backend.output(c, "float32");
  const u = [n, c, inner, f32Bits(attrs.eps)];
  if (attrs.batchStats) backend.dispatch(BATCH_STATS, [data[0]!, mean, inv, vr], u, c);
  else {
    const k = attrs.affine ? 3 : 1;
    backend.dispatch(RUNNING_STATS, [data[k]!, data[k + 1]!, mean, inv, vr], u, groupsFor(c));
  }
  const y = backend.output(n * c * inner, "float32");
  backend.dispatch(applyProgram(attrs.affine, activation), [data[0]!, mean, inv, ...(attrs.affine ? [data[1]!, data[2]!] : []), y], u, groupsFor(n * c * inner));
  const vec = [c];
  return [
    { dataId: y, shape: x.shape, dtype: "float32" },
    { dataId: mean, shape: vec, dtype: "float32" },
    { dataId: inv, shape: vec, dtype: "float32" },
    { dataId: vr, shape: vec, dtype: "float32" },
  ];
}

/** Per channel: sum(dy) into db and sum(dy * xhat) into dg (dy masked by a fused activation). */
const gradSums = (activation: FusedActivation | undefined) => ({
  key: `bnGradSums:${activation}`,
  code: () => `${PRELUDE}
${storage(1, "dy", "f32")}
${storage(2, "x", "f32")}
${storage(3, "mean", "f32")}
${storage(4, "inv", "f32")}
${storage(5, "dg", "f32", true)}
${storage(6, "db", "f32", true)}
${activation ? storage(7, "y", "f32") : ""}
${CHANNEL_REDUCE}
${channelMain(`let mu = mean[ch];
  let is = inv[ch];
  var a = 0.0;
  var b = 0.0;
  for (var j = lid; j < m; j += ${CH_WG}u) { let o = at(ch, j); let d = ${passed(activation, "o")}; a += d; b += d * (x[o] - mu) * is; }
  partA[lid] = a;
  partB[lid] = b;
  reduce2(lid);
  if (lid == 0u) { db[ch] = partA[0]; dg[ch] = partB[0]; }`)}`,
});

const gradProgram = (affine: boolean, activation: FusedActivation | undefined) => ({
  key: `bnGrad:${affine}:${activation}`,
  code: () => `${PRELUDE}
${storage(1, "dy", "f32")}
${storage(2, "x", "f32")}
${storage(3, "mean", "f32")}
${storage(4, "inv", "f32")}
${storage(5, "dg", "f32")}
${storage(6, "db", "f32")}
${affine ? storage(7, "gamma", "f32") : ""}
${storage(affine ? 8 : 7, "dx", "f32", true)}
${activation ? storage(affine ? 9 : 8, "y", "f32") : ""}
${elementMain(`let k = inv[ch]${affine ? " * gamma[ch]" : ""};
  let m = f32(P(0u) * P(2u));
  let xhat = (x[i] - mean[ch]) * inv[ch];
  dx[i] = (k / m) * (m * ${passed(activation, "i")} - db[ch] - xhat * dg[ch]);`)}`,
});

/** With running statistics the mean and variance are constants: dx = gamma * invstd * dy. */
const constantStatsGrad = (affine: boolean, activation: FusedActivation | undefined) => ({
  key: `bnGradConst:${affine}:${activation}`,
  code: () => `${PRELUDE}
${storage(1, "dy", "f32")}
${storage(2, "inv", "f32")}
${affine ? storage(3, "gamma", "f32") : ""}
${storage(affine ? 4 : 3, "dx", "f32", true)}
${activation ? storage(affine ? 5 : 4, "y", "f32") : ""}
${elementMain(`dx[i] = inv[ch]${affine ? " * gamma[ch]" : ""} * ${passed(activation, "i")};`)}`,
});

/** Inputs [dy, x, mean, invstd, gamma?, y?] (y with a fused activation); outputs [dx, dgamma?, dbeta?]. */
export function batchNormGradKernel({ inputs, attrs, backend }: KernelArgs<BatchNormAttrs, WebGpuBackend>): TensorInfo[] {
  const g = batchNormGradInputs(inputs, attrs);
  const { n, c, inner, activation } = g;
  const [dyD, xD, meanD, invD] = [g.dy, g.x, g.mean, g.invstd].map((t) => t.dataId as GpuData) as [GpuData, GpuData, GpuData, GpuData];
  const gamma = g.gamma ? [g.gamma.dataId as GpuData] : [];
  const y = g.y ? [g.y.dataId as GpuData] : [];
  const u = [n, c, inner, f32Bits(attrs.eps)];
  const size = n * c * inner;
  const dx = backend.output(size, "float32");
  const dg = backend.output(c, "float32"), db = backend.output(c, "float32");
  if (attrs.batchStats || attrs.affine) backend.dispatch(gradSums(activation), [dyD, xD, meanD, invD, dg, db, ...y], u, c);
  if (attrs.batchStats) backend.dispatch(gradProgram(attrs.affine, activation), [dyD, xD, meanD, invD, dg, db, ...gamma, dx, ...y], u, groupsFor(size));
  else backend.dispatch(constantStatsGrad(attrs.affine, activation), [dyD, invD, ...gamma, dx, ...y], u, groupsFor(size));
  const outs: TensorInfo[] = [{ dataId: dx, shape: g.x.shape, dtype: "float32" }];
  if (attrs.affine) outs.push({ dataId: dg, shape: [c], dtype: "float32" }, { dataId: db, shape: [c], dtype: "float32" });
  else { backend.release(dg); backend.release(db); }
  return outs;
}
