// The element-wise case lives apart from the others: cwise (through
// uglify-js) cannot be bundled, and the device benchmark bundle needs none of it.
import cwise from "cwise";
import ndarray from "ndarray";
import { tidy } from "../engine/index.js";
import { add } from "../autograd/index.js";
import { peerCase, rand, type BenchCase } from "./cases.js";
import { tf } from "./peers.js";

/**
 * Element-wise add of 2^20 floats: kshot's plain loop beside the requested
 * scijs `cwise` (generated loops over ndarrays). cwise stays at the API edge;
 * this case shows why it is not on a hot path.
 */
export function elementwiseCases(): BenchCase[] {
  const n = 1 << 20;
  // cwise parses the body's source with an ES5 parser: it must be a plain function
  const cwiseAdd = cwise({ args: ["array", "array", "array"], body: function (o: number, a: number, b: number) { o = a + b; } });
  return [{
    name: "elementwise add 1M",
    flops: n,
    kshot: () => {
      const a = rand([n]), b = rand([n]);
      return () => tidy(() => { add(a, b); });
    },
    peer: peerCase(() => {
      const a = tf.randomNormal([n]), b = tf.randomNormal([n]);
      return () => tf.add(a, b).dispose();
    }),
    other: {
      label: "cwise",
      setup: () => {
        const a = ndarray(new Float32Array(n).fill(1)), b = ndarray(new Float32Array(n).fill(2));
        return () => { cwiseAdd(ndarray(new Float32Array(n)), a, b); };
      },
    },
  }];
}
