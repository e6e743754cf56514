import * as K from "../../engine/kernel_names.js";
import { registerGradient } from "../gradient_registry.js";
import { pad, reshape, slice, transpose } from "../ops/shape.js";

registerGradient(K.Reshape, (dy, { inputs: [x] }) => [reshape(dy, x!.shape)]);

registerGradient<K.TransposeAttrs>(K.Transpose, (dy, { attrs }) => {
  const inverse = new Array<number>(attrs.perm.length);
  attrs.perm.forEach((p, i) => { inverse[p] = i; });
  return [transpose(dy, inverse)];
});

registerGradient<K.ConcatAttrs>(K.Concat, (dy, { inputs, attrs }) => {
  const axis = attrs.axis < 0 ? attrs.axis + dy.shape.length : attrs.axis;
  let at = 0;
  return inputs.map((x) => {
    const begin = dy.shape.map((_, i) => (i === axis ? at : 0));
    at += x.shape[axis]!;
    return slice(dy, begin, [...x.shape]);
  });
});

registerGradient<K.SliceAttrs>(K.Slice, (dy, { inputs: [x], attrs }) =>
  [pad(dy, attrs.begin.map((b, i): [number, number] => [b, x!.shape[i]! - b - attrs.size[i]!]))]);

registerGradient<K.PadAttrs>(K.Pad, (dy, { inputs: [x], attrs }) =>
  [slice(dy, attrs.paddings.map(([b]) => b), [...x!.shape])]);
