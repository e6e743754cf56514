export { gemmTask, convForwardTask, convBackpropInputTask, im2colTask, convBackpropFilterTask, depthwiseTask, depthwiseFilterTask } from "./tasks";
export { gemmScratchFloats } from "./gemm";

export function heapBase(): usize {
  return __heap_base;
}
