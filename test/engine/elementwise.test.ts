import assert from "node:assert/strict";
import { it } from "node:test";
import { tensor, zeros, type Tensor } from "../../engine/index.js";
import * as ag from "../../autograd/index.js";
import { CPU, WEBGPU, conformance } from "../helpers/backends.js";
import { awayFrom, checkOp } from "../helpers/check_op.js";
import * as ref from "../helpers/ref.js";

const broadcastPairs: [number[], number[]][] = [
  [[3, 4], [3, 4]],
  [[2, 3, 4, 5], [1, 3, 1, 1]],
  [[4, 1], [1, 5]],
  [[2, 3, 4], [4]],
  [[5], []],
  [[1, 17], [65, 1]],
];

const binaries: [string, (a: Tensor, b: Tensor) => Tensor, (x: number, y: number) => number][] = [
  ["add", ag.add, (x, y) => x + y],
  ["sub", ag.sub, (x, y) => x - y],
  ["mul", ag.mul, (x, y) => x * y],
  ["div", ag.div, (x, y) => x / y],
];

conformance("binary ops with broadcasting", [CPU, WEBGPU], () => {
  for (const [name, op, f] of binaries) {
    it(`${name} over ${broadcastPairs.length} shape pairs`, async () => {
      for (const [sa, sb] of broadcastPairs) {
        await checkOp({
          name: `${name} ${JSON.stringify(sa)} ${JSON.stringify(sb)}`,
          inputs: [{ shape: sa }, { shape: sb, gen: name === "div" ? awayFrom([0], 0.3) : undefined }],
          run: ([a, b]) => op(a!, b!),
          ref: ([a, b]) => ref.binary(a!, b!, f),
        });
      }
    });
  }

  it("rejects shapes that do not broadcast and mixed dtypes", async () => {
    assert.throws(() => ag.add(zeros([2, 3]), zeros([4])), /Add: expected shapes that broadcast, received \[2, 3\] and \[4\]/);
    assert.throws(() => ag.mul(zeros([2]), tensor([1, 2], [2], "int32")), /Mul: expected float32 operands, received float32 and int32/);
  });
});

const relu6 = (v: number) => Math.min(6, Math.max(0, v));
const unaries: [string, (x: Tensor) => Tensor, (v: number) => number, ((rng: import("../../engine/index.js").Rng) => number)?][] = [
  ["relu", ag.relu, (v) => Math.max(0, v), awayFrom([0])],
  ["relu6", ag.relu6, relu6, awayFrom([0, 6], 0.05, -2, 8)],
  ["sigmoid", ag.sigmoid, (v) => 1 / (1 + Math.exp(-v))],
  ["hardSigmoid", ag.hardSigmoid, (v) => relu6(v + 3) / 6, awayFrom([-3, 3], 0.05, -5, 5)],
  ["hardSwish", ag.hardSwish, (v) => (v * relu6(v + 3)) / 6, awayFrom([-3, 3], 0.05, -5, 5)],
  ["exp", ag.exp, Math.exp],
  ["log", ag.log, Math.log, (rng) => 0.2 + rng.uniform() * 3],
  ["neg", ag.neg, (v) => -v],
  ["sqrt", ag.sqrt, Math.sqrt, (rng) => 0.2 + rng.uniform() * 3],
  ["addScalar", (x) => ag.addScalar(x, 2.5), (v) => v + 2.5],
  ["mulScalar", (x) => ag.mulScalar(x, -1.5), (v) => v * -1.5],
  ["powScalar", (x) => ag.powScalar(x, 3), (v) => v ** 3],
];

conformance("unary and scalar ops", [CPU, WEBGPU], () => {
  for (const [name, op, f, gen] of unaries) {
    it(name, () => checkOp({
      name,
      inputs: [{ shape: [3, 17], gen }],
      run: ([x]) => op(x!),
      ref: ([x]) => ref.unary(x!, f),
    }));
  }
});
