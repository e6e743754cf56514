export { sgemm, gemmScratchFloats } from "./gemm";
export { im2col, col2im, depthwiseForward, depthwiseBackpropInput, depthwiseBackpropFilter } from "./conv";

export function heapBase(): usize {
  return __heap_base;
}
