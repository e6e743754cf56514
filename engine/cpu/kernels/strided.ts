/**
 * Walks an n-d index space row by row (the last axis is the row), keeping
 * the flat offsets of up to three operands with their own strides (0 on a
 * broadcast or reduced axis). `row` receives each operand's offset at the
 * row start, the row length and the operands' strides along the row, so the
 * caller's inner loop stays a plain monomorphic loop over typed arrays.
 */
export type RowFn = (o0: number, o1: number, o2: number, n: number, s0: number, s1: number, s2: number) => void;

export function walkRows(shape: readonly number[], st0: readonly number[], st1: readonly number[], st2: readonly number[], row: RowFn): void {
  const rank = shape.length;
  if (rank === 0) {
    row(0, 0, 0, 1, 0, 0, 0);
    return;
  }
  for (const d of shape) if (d === 0) return;
  const last = rank - 1;
  const n = shape[last]!;
  const idx = new Array<number>(last).fill(0);
  let o0 = 0, o1 = 0, o2 = 0;
  for (;;) {
    row(o0, o1, o2, n, st0[last]!, st1[last]!, st2[last]!);
    let ax = last - 1;
    for (; ax >= 0; ax--) {
      if (++idx[ax]! < shape[ax]!) {
        o0 += st0[ax]!; o1 += st1[ax]!; o2 += st2[ax]!;
        break;
      }
      idx[ax] = 0;
      o0 -= st0[ax]! * (shape[ax]! - 1); o1 -= st1[ax]! * (shape[ax]! - 1); o2 -= st2[ax]! * (shape[ax]! - 1);
    }
    if (ax < 0) return;
  }
}
