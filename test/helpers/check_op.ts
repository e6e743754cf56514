import assert from "node:assert/strict";
import { Rng, keep, tensor, tidy, type Tensor } from "../../engine/index.js";
import { grad, mul, sum } from "../../autograd/index.js";
import { arr, size, type Arr } from "./ref.js";

export interface InputSpec {
  shape: number[];
  /** Draws one value; defaults to uniform in [-1, 1). Values are rounded to float32 for both sides. */
  gen?: (rng: Rng) => number;
  /** Check the gradient for this input (default true). */
  grad?: boolean;
}

export interface OpCase {
  name: string;
  inputs: InputSpec[];
  run: (xs: Tensor[]) => Tensor;
  ref: (xs: Arr[]) => Arr;
  /** Skip the gradient check (non-differentiable ops). */
  noGrad?: boolean;
  rtol?: number;
}

function close(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol: number, atol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!, e = expected[i]!;
    if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e))) {
      assert.fail(`${what}: element ${i} is ${a}, expected ${e} (rtol ${rtol}, atol ${atol})`);
    }
  }
}

const maxAbs = (xs: ArrayLike<number>) => Array.from(xs).reduce((m, v) => Math.max(m, Math.abs(v)), 0);

/**
 * The one helper behind every op test: runs `run` on seeded inputs, compares
 * with the float64 reference loop, then compares the engine's gradient of
 * sum(dy * op(x)) for a random dy with central finite differences of the
 * float64 reference.
 */
export async function checkOp(c: OpCase, seed = 1): Promise<void> {
  const rng = new Rng(seed);
  const values = c.inputs.map((s) => Float32Array.from({ length: size(s.shape) }, () => (s.gen ? s.gen(rng) : rng.uniform() * 2 - 1)));
  const refIn = () => c.inputs.map((s, i) => arr(s.shape, values[i]));
  const expected = c.ref(refIn());
  const rtol = c.rtol ?? 1e-4;
  const y = tidy(() => c.run(c.inputs.map((s, i) => tensor(values[i]!, s.shape))));
  try {
    assert.deepEqual([...y.shape], expected.shape, `${c.name}: output shape`);
    close(await y.data(), expected.data, rtol, 1e-5 * (1 + maxAbs(expected.data)), `${c.name}: forward`);
  } finally {
    y.dispose();
  }
  if (c.noGrad) return;

  const dy = Float64Array.from({ length: expected.data.length }, () => Math.fround(rng.normal()));
  const loss = (xs: Arr[]) => c.ref(xs).data.reduce((s, v, i) => s + v * dy[i]!, 0);
  const checked = c.inputs.map((s, i) => (s.grad === false ? -1 : i)).filter((i) => i >= 0);
  const grads = tidy(() => {
    const xs = c.inputs.map((s, i) => tensor(values[i]!, s.shape));
    const dyT = tensor(Float32Array.from(dy), expected.shape);
    return grad(() => sum(mul(c.run(xs), dyT)), checked.map((i) => xs[i]!)).map((g) => keep(g));
  });
  try {
    for (const [k, inputIndex] of checked.entries()) {
      const analytic = await grads[k]!.data();
      const numeric = new Float64Array(values[inputIndex]!.length);
      const h = 1e-4;
      for (let e = 0; e < numeric.length; e++) {
        const plus = refIn(), minus = refIn();
        plus[inputIndex]!.data[e] += h;
        minus[inputIndex]!.data[e] -= h;
        numeric[e] = (loss(plus) - loss(minus)) / (2 * h);
      }
      close(analytic, numeric, 2e-3, 2e-4 * (1 + maxAbs(numeric)), `${c.name}: gradient of input ${inputIndex}`);
    }
  } finally {
    for (const g of grads) g.dispose();
  }
}

/** Uniform values kept at least `gap` away from the kinks of piecewise ops. */
export const awayFrom = (kinks: number[], gap = 0.05, lo = -1, hi = 1) => (rng: Rng) => {
  for (;;) {
    const v = lo + (hi - lo) * rng.uniform();
    if (kinks.every((k) => Math.abs(v - k) > gap)) return v;
  }
};
