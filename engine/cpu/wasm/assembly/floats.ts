// AssemblyScript: zeroing and copying runs of floats with inline vector
// stores. memory.fill and memory.copy leave wasm for a runtime call each,
// and most calls here move a short row (a 7-float row of a small image).
// Measured, batch 64, after warm-up: the direct filter gradient at 32
// channels 7x7 takes 1.60-1.62 ms against 1.65-1.67 with them on one
// thread, 0.82-0.95 against 0.95 on two; level at 16 channels 14x14.

// n floats from dst zeroed.
export function zeroFloats(dst: usize, n: i32): void {
  const zero = f32x4.splat(0);
  let i: i32 = 0;
  for (; i + 4 <= n; i += 4) v128.store(dst + (<usize>i << 2), zero);
  for (; i < n; i++) store<f32>(dst + (<usize>i << 2), 0);
}

// n floats from src to dst (the runs do not overlap).
export function copyFloats(dst: usize, src: usize, n: i32): void {
  let i: i32 = 0;
  for (; i + 4 <= n; i += 4) v128.store(dst + (<usize>i << 2), v128.load(src + (<usize>i << 2)));
  for (; i < n; i++) store<f32>(dst + (<usize>i << 2), load<f32>(src + (<usize>i << 2)));
}
