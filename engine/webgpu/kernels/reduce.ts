import type { TensorInfo } from "../../backend.js";
import { OpError, fmtShape } from "../../errors.js";
import type { ArgMaxAttrs, ReduceAttrs } from "../../kernel_names.js";
import type { KernelArgs } from "../../kernel_registry.js";
import { normalizeAxes, sizeOf, stridesOf } from "../../shape.js";
import type { GpuData, WebGpuBackend } from "../backend_webgpu.js";
import { PRELUDE, checkRank, f32Bits, groupsFor, padded, perElement, storage } from "../wgsl.js";

const RED_WG = 256;

/**
 * One workgroup per output element: its threads stride over the reduced
 * index space (decoded through the reduced axes' shape and strides), then
 * halve a shared array. Output offsets come from the kept axes likewise.
 */
const SUM_PROGRAM = {
  key: "sum",
  code: () => `${PRELUDE}
${storage(1, "x", "f32")}
${storage(2, "out", "f32", true)}
var<workgroup> partial: array<f32, ${RED_WG}>;
fn offset(index: u32, rank: u32, shapeAt: u32, strideAt: u32) -> u32 { return stridedOffsets(index, rank, shapeAt, strideAt, strideAt).x; }
@compute @workgroup_size(${RED_WG}) fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let o = groupIndex(wid, nwg);
  let base = offset(o, P(2u), 4u, 10u);
  var s = 0.0;
  for (var r = lid; r < P(1u); r += ${RED_WG}u) { s += x[base + offset(r, P(3u), 16u, 22u)]; }
  partial[lid] = s;
  workgroupBarrier();
  for (var h = ${RED_WG / 2}u; h > 0u; h >>= 1u) {
    if (lid < h) { partial[lid] += partial[lid + h]; }
    workgroupBarrier();
  }
  if (lid == 0u) { out[o] = partial[0] * PF(28u); }
}`,
};

/** Sums `x` over `axes` into a new buffer, each sum times `scale`. */
export function sumInto(backend: WebGpuBackend, x: TensorInfo, axes: readonly number[], scale: number): GpuData {
  checkRank("Sum", x.shape);
  const st = stridesOf(x.shape);
  const kept = x.shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const nOut = sizeOf(kept.map((i) => x.shape[i]!));
  const out = backend.output(nOut, "float32");
  const red = (ids: readonly number[], what: (i: number) => number) => padded(ids.map(what), 1);
  const uniforms = [
    nOut, sizeOf(axes.map((a) => x.shape[a]!)), kept.length, axes.length,
    ...red(kept, (i) => x.shape[i]!), ...padded(kept.map((i) => st[i]!)),
    ...red(axes, (i) => x.shape[i]!), ...padded(axes.map((i) => st[i]!)),
    f32Bits(scale),
  ];
  backend.dispatch(SUM_PROGRAM, [x.dataId as GpuData, out], uniforms, nOut);
  return out;
}

export function reduceKernel(op: "Sum" | "Mean") {
  return ({ inputs, attrs, backend }: KernelArgs<ReduceAttrs, WebGpuBackend>): TensorInfo[] => {
    const x = inputs[0]!;
    if (x.dtype !== "float32") throw new OpError(op, "a float32 input", `${x.dtype} of shape ${fmtShape(x.shape)}`);
    const axes = normalizeAxes(op, attrs.axes, x.shape.length);
    const count = op === "Mean" ? axes.reduce((p, a) => p * x.shape[a]!, 1) : 1;
    const out = sumInto(backend, x, axes, 1 / count);
    const shape = attrs.keepDims ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !axes.includes(i));
    return [{ dataId: out, shape, dtype: "float32" }];
  };
}

const ARGMAX_PROGRAM = {
  key: "argmax",
  code: () => `${PRELUDE}
${storage(1, "x", "f32")}
${storage(2, "out", "i32", true)}
${perElement()}
  let len = P(1u);
  let inner = P(2u);
  let base = (i / inner) * len * inner + i % inner;
  var best = 0u;
  var bestV = x[base];
  for (var k = 1u; k < len; k++) {
    let v = x[base + k * inner];
    if (v > bestV) { bestV = v; best = k; }
  }
  out[i] = i32(best);
}`,
};

/** Index of the largest value along an axis (the first one on ties), as int32. */
export function argMaxKernel({ inputs, attrs, backend }: KernelArgs<ArgMaxAttrs, WebGpuBackend>): TensorInfo[] {
  const x = inputs[0]!;
  const [axis] = normalizeAxes("ArgMax", [attrs.axis], x.shape.length) as [number];
  const len = x.shape[axis]!, inner = sizeOf(x.shape.slice(axis + 1));
  const n = sizeOf(x.shape) / Math.max(1, len);
  const out = backend.output(n, "int32");
  if (len > 0) backend.dispatch(ARGMAX_PROGRAM, [x.dataId as GpuData, out], [n, len, inner], groupsFor(n));
  return [{ dataId: out, shape: x.shape.filter((_, i) => i !== axis), dtype: "int32" }];
}
