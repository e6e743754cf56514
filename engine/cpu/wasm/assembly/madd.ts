// c + a * b on four lanes. Built with relaxed SIMD (kernels_fma.wasm), one
// relaxed_madd, which V8 lowers to the CPU's fused multiply-add where it has
// one (a single rounding); built without (kernels.wasm), a multiply and an
// add (two roundings). The branch is decided at compile time.
// @ts-ignore: decorator
@inline
export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}
