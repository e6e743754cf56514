// AssemblyScript: reading a task's parameter block and addressing floats.

// Word i of the parameter block, as a signed integer.
// @ts-ignore: decorator
@inline
export function word(params: usize, i: i32): i32 {
  return load<i32>(params + (<usize>i << 2));
}

// Word i of the parameter block, as a pointer (unsigned).
// @ts-ignore: decorator
@inline
export function ptr(params: usize, i: i32): usize {
  return <usize>load<u32>(params + (<usize>i << 2));
}

// Words i and i + 1 of the parameter block, as one f64 (JavaScript's f64Words).
// @ts-ignore: decorator
@inline
export function f64Word(params: usize, i: i32): f64 {
  return load<f64>(params + (<usize>i << 2));
}

// The address of float `index` from `base`.
// @ts-ignore: decorator
@inline
export function f32At(base: usize, index: i32): usize {
  return base + (<usize>index << 2);
}

// x rounded up to a multiple of q.
// @ts-ignore: decorator
@inline
export function roundUp(x: i32, q: i32): i32 {
  return ((x + q - 1) / q) * q;
}
