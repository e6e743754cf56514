export { gemmTask, convForwardTask, convBackpropInputTask, im2colTask, depthwiseTask, depthwiseFilterTask,
  sliceProductTask, sumSlicesTask } from "./tasks";
export { binaryTask, activationTask, activationGradTask, bnStatsTask, bnApplyTask, bnGradTask,
  scalarTask, avgPoolTask } from "./elementwise";
export { gemmScratchFloats } from "./gemm";
export { sgdTask, movingAverageTask } from "./optim";
export { reduceTask, broadcastTask } from "./strided";
export { avgPoolStride1Task, avgPoolStride1Scratch } from "./pool";
export { directConvTask, directConvScratchFloats, directPlaceTask, directFilterTask,
  directFlatLength, directSlackFloats, directFilterTasks,
  depthwiseDirectTask, depthwiseDirectScratch } from "./direct_conv";

export function heapBase(): usize {
  return __heap_base;
}
