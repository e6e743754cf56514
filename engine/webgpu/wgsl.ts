import type { DType } from "../dtype.js";
import { OpError, fmtShape } from "../errors.js";

/**
 * WGSL shared by every program: the uniform block at binding 0 (31 words of
 * shapes, strides and scalars, read with P/PF/PI, and NaN in the last) and the linear index of a
 * workgroup in a dispatch split over x and y.
 */
export const PRELUDE = /* wgsl */ `
struct Params { v: array<vec4<u32>, 8> }
@group(0) @binding(0) var<uniform> params: Params;
fn P(i: u32) -> u32 { return params.v[i >> 2u][i & 3u]; }
fn PF(i: u32) -> f32 { return bitcast<f32>(P(i)); }
fn PI(i: u32) -> i32 { return bitcast<i32>(P(i)); }
// WGSL constants cannot be NaN, so the last uniform word carries its bits at run time.
fn nan() -> f32 { return PF(31u); }
fn groupIndex(wid: vec3<u32>, nwg: vec3<u32>) -> u32 { return wid.x + wid.y * nwg.x; }
// Offsets of element index of an index space of rank axes (sizes at uniform
// words shapeAt..) in two strided layouts (strides at aAt.. and bAt..; 0 on a broadcast axis).
fn stridedOffsets(index: u32, rank: u32, shapeAt: u32, aAt: u32, bAt: u32) -> vec2<u32> {
  var rest = index;
  var off = vec2<u32>(0u, 0u);
  for (var d = i32(rank) - 1; d >= 0; d--) {
    let k = u32(d);
    let coord = rest % P(shapeAt + k);
    rest = rest / P(shapeAt + k);
    off += coord * vec2<u32>(P(aAt + k), P(bAt + k));
  }
  return off;
}
`;

/** Most programs: one thread per element, this many per workgroup. */
export const WG = 256;

/**
 * Opens the entry point of a program run once per element: `i` is the
 * thread's element and those at or past `count` return. The caller writes
 * the rest of the body and its closing brace.
 */
export const perElement = (count = "P(0u)") => `@compute @workgroup_size(${WG}) fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let i = groupIndex(wid, nwg) * ${WG}u + lid;
  if (i >= ${count}) { return; }`;

/** Highest rank the strided programs take (shapes and strides travel as uniforms). */
export const MAX_RANK = 6;

export function storage(binding: number, name: string, type: string, write = false): string {
  return `@group(0) @binding(${binding}) var<storage, ${write ? "read_write" : "read"}> ${name}: array<${type}>;`;
}

const bitsF32 = new Float32Array(1);
const bitsU32 = new Uint32Array(bitsF32.buffer);

/** The bits of a float32, for the uniform block. */
export function f32Bits(v: number): number {
  bitsF32[0] = v;
  return bitsU32[0]!;
}

export function groupsFor(n: number, perGroup = WG): number {
  return Math.ceil(n / perGroup);
}

/** `values` padded with `fill` to MAX_RANK entries. */
export function padded(values: readonly number[], fill = 0): number[] {
  return [...values, ...new Array<number>(MAX_RANK - values.length).fill(fill)];
}

export function checkRank(op: string, shape: readonly number[]): void {
  if (shape.length > MAX_RANK) throw new OpError(op, `rank <= ${MAX_RANK} on the webgpu backend`, fmtShape(shape));
}

export function checkFloat(op: string, ...dtypes: DType[]): void {
  if (dtypes.some((d) => d !== "float32")) throw new OpError(op, "float32 operands", dtypes.join(" and "));
}
