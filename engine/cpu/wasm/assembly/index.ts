export { gemmTask, convForwardTask, convBackpropInputTask, depthwiseTask, depthwiseFilterTask,
  filterSliceTask, sumSlicesTask } from "./tasks";
export { binaryTask, activationTask, activationGradTask, bnStatsTask, bnAffineTask, bnApplyTask, bnGradTask,
  scalarTask, avgPoolTask } from "./elementwise";
export { gemmScratchFloats } from "./gemm";
export { sgdTask, movingAverageTask } from "./optim";
export { reduceTask, broadcastTask } from "./strided";
export { avgPoolStride1Task, avgPoolStride1Scratch } from "./pool";
export { directConvTask, directPackTask, directPackedFloats, directPackTasks, directConvScratchFloats,
  depthwiseDirectTask, depthwiseDirectScratch } from "./direct_conv";
export { directFilterRunTask, directFilterScratchFloats } from "./direct_filter";
export { winogradConvTask, winogradPackTask, winogradPackTasks, winogradPackedFloats, winogradScratchFloats } from "./winograd";

export function heapBase(): usize {
  return __heap_base;
}

// a * b + c through the kernels' multiply-add, which the loader calls to
// tell a fused one from a multiply and an add (module.ts).
import { madd } from "./madd";
export function maddProbe(a: f32, b: f32, c: f32): f32 {
  return f32x4.extract_lane(madd(f32x4.splat(a), f32x4.splat(b), f32x4.splat(c)), 0);
}
