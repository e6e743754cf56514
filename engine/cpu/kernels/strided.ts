/**
 * Walks an n-d index space row by row (the last axis is the row), keeping
 * the flat offsets of up to three operands with their own strides (0 on a
 * broadcast or reduced axis). `row` receives each operand's offset at the
 * row start, the row length and the operands' strides along the row, so the
 * caller's inner loop stays a plain monomorphic loop over typed arrays.
 */
export type RowFn = (o0: number, o1: number, o2: number, n: number, s0: number, s1: number, s2: number) => void;

export function walkRows(shape: readonly number[], st0: readonly number[], st1: readonly number[], st2: readonly number[], row: RowFn): void {
  for (const d of shape) if (d === 0) return;
  ({ shape, st0, st1, st2 } = coalesce(shape, st0, st1, st2));
  const rank = shape.length;
  if (rank === 0) {
    row(0, 0, 0, 1, 0, 0, 0);
    return;
  }
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

/**
 * The same walk over fewer, longer axes: axes of size 1 other than the row
 * are dropped, and an axis is merged into the next one where every operand
 * steps over it as one run of the next (a broadcast operand's 0 stride
 * included), so rows are as long as the layouts allow, the row callback runs
 * less often, and each row's stride is still the last axis's.
 */
export function coalesce(shape: readonly number[], st0: readonly number[], st1: readonly number[], st2: readonly number[]) {
  const out = { shape: [] as number[], st0: [] as number[], st1: [] as number[], st2: [] as number[] };
  for (let ax = shape.length - 1; ax >= 0; ax--) {
    const d = shape[ax]!;
    if (d === 1 && ax < shape.length - 1) continue;
    const k = out.shape.length - 1;
    if (k >= 0 && st0[ax] === out.st0[k]! * out.shape[k]! && st1[ax] === out.st1[k]! * out.shape[k]! && st2[ax] === out.st2[k]! * out.shape[k]!) {
      out.shape[k] = out.shape[k]! * d;
      continue;
    }
    out.shape.push(d); out.st0.push(st0[ax]!); out.st1.push(st1[ax]!); out.st2.push(st2[ax]!);
  }
  for (const a of [out.shape, out.st0, out.st1, out.st2]) a.reverse();
  return out;
}
