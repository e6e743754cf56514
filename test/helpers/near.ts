import assert from "node:assert/strict";
import type { Tensor } from "../../engine/index.js";

/** A tensor's values as a plain array. */
export const vals = (t: Tensor): number[] => [...t.dataSync()];

/** Equal lengths, and every value within `tol` of its expected one (the index named on failure). */
export function near(a: readonly number[], b: readonly number[], tol = 1e-5): void {
  assert.equal(a.length, b.length);
  a.forEach((v, i) => assert.ok(Math.abs(v - b[i]!) < tol, `${v} vs ${b[i]} at ${i}`));
}
