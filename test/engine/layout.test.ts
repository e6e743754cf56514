import assert from "node:assert/strict";
import { it } from "node:test";
import { Rng, fromNdarray, randn, tensor, toNdarray, zeros } from "../../engine/index.js";
import * as ag from "../../autograd/index.js";
import ndarray from "ndarray";
import { CPU, WEBGPU, conformance } from "../helpers/backends.js";
import { checkOp } from "../helpers/check_op.js";
import * as ref from "../helpers/ref.js";

conformance("layout ops", [CPU, WEBGPU], (v) => {
  it("reshape (with -1) keeps values and routes gradients", () => checkOp({
    name: "reshape",
    inputs: [{ shape: [2, 3, 4] }],
    run: ([x]) => ag.mul(ag.reshape(x!, [4, -1]), ag.reshape(x!, [4, 6])),
    ref: ([x]) => ref.unary({ shape: [4, 6], data: x!.data }, (v) => v * v),
  }));

  it("transpose / permute", async () => {
    for (const perm of [[1, 0], [2, 0, 1], [0, 2, 3, 1]]) {
      const shape = [2, 3, 4, 5].slice(0, perm.length);
      await checkOp({ name: `transpose ${perm}`, inputs: [{ shape }], run: ([x]) => ag.transpose(x!, perm), ref: ([x]) => ref.transpose(x!, perm) });
    }
  });

  it("concat along several axes", async () => {
    for (const axis of [0, 1, 3]) {
      const other = [2, 3, 4, 5].map((d, i) => (i === axis ? d + 1 : d));
      await checkOp({ name: `concat ${axis}`, inputs: [{ shape: [2, 3, 4, 5] }, { shape: other }], run: (xs) => ag.concat(xs, axis), ref: (xs) => ref.concat(xs, axis) });
    }
  });

  it("slice and zero-padding along the channel axis (width search)", async () => {
    await checkOp({
      name: "slice",
      inputs: [{ shape: [2, 5, 3, 4] }],
      run: ([x]) => ag.slice(x!, [0, 1, 1, 0], [2, 3, 2, 4]),
      ref: ([x]) => ref.slicePad(x!, [2, 3, 2, 4], [0, -1, -1, 0]),
    });
    await checkOp({
      name: "padChannels",
      inputs: [{ shape: [2, 3, 2, 2] }],
      run: ([x]) => ag.padChannels(x!, 8),
      ref: ([x]) => ref.slicePad(x!, [2, 8, 2, 2], [0, 0, 0, 0]),
    });
    await checkOp({
      name: "sliceChannels",
      inputs: [{ shape: [2, 6, 2, 3] }],
      run: ([x]) => ag.sliceChannels(x!, 4),
      ref: ([x]) => ref.slicePad(x!, [2, 4, 2, 3], [0, 0, 0, 0]),
    });
    await checkOp({
      name: "pad",
      inputs: [{ shape: [3, 4] }],
      run: ([x]) => ag.pad(x!, [[1, 2], [0, 3]]),
      ref: ([x]) => ref.slicePad(x!, [6, 7], [1, 0]),
    });
  });

  it("errors name the op and the shapes", async () => {
    assert.throws(() => ag.reshape(zeros([2, 3]), [4, 2]), /Reshape: expected a shape of 6 elements, received \[4, 2\] for input \[2, 3\]/);
    assert.throws(() => ag.transpose(zeros([2, 3]), [0, 0]), /Transpose: expected distinct axes/);
    assert.throws(() => ag.concat([zeros([2, 3]), zeros([3, 3])], 1), /Concat: expected float32 tensors matching \[2, 3\] except on axis 1, received float32 \[3, 3\]/);
    assert.throws(() => ag.slice(zeros([2, 3]), [1, 0], [2, 3]), /Slice: expected begin and size within \[2, 3\]/);
  });

  if (v.backend === "cpu") it("ndarray views at the edge: strided views in, ndarray out", async () => {
    const base = ndarray(Float32Array.from({ length: 12 }, (_, i) => i), [3, 4]);
    const t = fromNdarray(base.transpose(1, 0).hi(3, 2));
    assert.deepEqual([...t.shape], [3, 2]);
    assert.deepEqual([...t.dataSync()], [0, 4, 1, 5, 2, 6]);
    const back = toNdarray(randn([2, 2], new Rng(0)));
    assert.deepEqual(back.shape, [2, 2]);
  });

  it("cast and assign", async () => {
    const t = tensor([1.7, -2.2], [2]);
    assert.deepEqual([...await ag.cast(t, "int32").data()], [1, -2]);
    assert.deepEqual([...await ag.cast(ag.cast(t, "int32"), "float32").data()], [1, -2]);
    const target = zeros([2]);
    ag.assign(target, t);
    assert.deepEqual([...await target.data()], [...await t.data()]);
    assert.throws(() => ag.assign(zeros([3]), t), /Assign: expected a float32 value of shape \[3\], received float32 \[2\]/);
  });
});
