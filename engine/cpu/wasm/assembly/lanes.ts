// AssemblyScript: the sum of a vector's four f32 lanes, added in pairs:
// (lane 0 + lane 1) + (lane 2 + lane 3).

// @ts-ignore: decorator
@inline
export function lanes(v: v128): f32 {
  return (f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1)) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}
