import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { walkRows } from "../../engine/cpu/kernels/strided.js";
import { broadcastStrides, stridesOf } from "../../engine/shape.js";

/** Each element's offsets in the three operands, in row-major order of `shape`, by plain index arithmetic. */
function naive(shape: number[], st: number[][]): number[][] {
  const out: number[][] = [];
  const size = shape.reduce((a, b) => a * b, 1);
  for (let flat = 0; flat < size; flat++) {
    let rest = flat;
    const offs = [0, 0, 0];
    for (let ax = shape.length - 1; ax >= 0; ax--) {
      const i = rest % shape[ax]!;
      rest = Math.floor(rest / shape[ax]!);
      for (let k = 0; k < 3; k++) offs[k]! += i * st[k]![ax]!;
    }
    out.push(offs);
  }
  return out;
}

function walked(shape: number[], st: number[][]): { elements: number[][]; rows: number[] } {
  const elements: number[][] = [], rows: number[] = [];
  walkRows(shape, st[0]!, st[1]!, st[2]!, (o0, o1, o2, n, s0, s1, s2) => {
    rows.push(n);
    for (let i = 0; i < n; i++) elements.push([o0 + i * s0, o1 + i * s1, o2 + i * s2]);
  });
  return { elements, rows };
}

describe("walkRows", () => {
  const cases: { name: string; shape: number[]; st: number[][]; rows: number }[] = [
    { name: "a per-channel value broadcast over 7x7 maps", shape: [4, 3, 7, 7], st: [stridesOf([4, 3, 7, 7]), broadcastStrides([4, 3, 1, 1], [4, 3, 7, 7]), stridesOf([4, 3, 7, 7])], rows: 12 },
    { name: "a mean over the maps (output stride 0 along them)", shape: [2, 5, 3, 3], st: [stridesOf([2, 5, 3, 3]), broadcastStrides([2, 5, 1, 1], [2, 5, 3, 3]), [0, 0, 0, 0]], rows: 10 },
    { name: "contiguous operands: one row", shape: [3, 4, 5], st: [stridesOf([3, 4, 5]), stridesOf([3, 4, 5]), stridesOf([3, 4, 5])], rows: 1 },
    { name: "a transpose: nothing merges", shape: [3, 4], st: [stridesOf([3, 4]), [1, 3], stridesOf([3, 4])], rows: 3 },
    { name: "a row of one element whose outer axis steps by 6 (a slice)", shape: [4, 1], st: [[1, 1], [6, 1], [1, 1]], rows: 4 },
    { name: "size-1 axes between others", shape: [2, 1, 3, 1, 4], st: [stridesOf([2, 1, 3, 1, 4]), broadcastStrides([2, 1, 1, 1, 4], [2, 1, 3, 1, 4]), stridesOf([2, 1, 3, 1, 4])], rows: 6 },
  ];
  for (const c of cases) {
    it(`visits every element at the offsets plain indexing gives, in order, in ${c.rows} row(s): ${c.name}`, () => {
      const w = walked(c.shape, c.st);
      assert.deepEqual(w.elements, naive(c.shape, c.st));
      assert.equal(w.rows.length, c.rows);
    });
  }

  it("visits nothing for an empty shape, and one element for a scalar", () => {
    assert.deepEqual(walked([3, 0, 2], [[0, 2, 1], [0, 2, 1], [0, 2, 1]]).elements, []);
    assert.deepEqual(walked([], [[], [], []]).elements, [[0, 0, 0]]);
  });
});
