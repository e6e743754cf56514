import type { TensorInfo } from "../../backend.js";
import type { MovingAverageAttrs, SgdUpdateAttrs } from "../../kernel_names.js";
import type { KernelArgs } from "../../kernel_registry.js";
import { checkMovingAverage, checkSgdInputs } from "../../op_checks.js";
import { sizeOf } from "../../shape.js";
import type { CpuBackend } from "../backend_cpu.js";
import { team } from "../wasm/team.js";
import { ELEMENTS_PER_TASK } from "./elementwise_wasm.js";
import { HeapOperands, f64Words } from "./heap_operands.js";

// The optimiser's in-place updates as WebAssembly tasks of the kernel team
// (engine/cpu/wasm/assembly/optim.ts). Each operation rounds to float32, so
// an update gives the bits of the same rule written as float32 element-wise
// ops, on any number of threads.

/** Flags of sgdTask, as engine/cpu/wasm/assembly/optim.ts defines them. */
const SGD_MOMENTUM = 1, SGD_FIRST_STEP = 2, SGD_NESTEROV = 4;

/** SGD in place: weight decay, then momentum (Nesterov optional), then the step. */
export function sgdUpdateKernel({ inputs, attrs, backend }: KernelArgs<SgdUpdateAttrs, CpuBackend>): TensorInfo[] {
  checkSgdInputs(inputs, attrs.momentum);
  const { lr, momentum: mu, nesterov, weightDecay: wd, firstStep } = attrs;
  const n = sizeOf(inputs[0]!.shape);
  const ops = new HeapOperands(backend);
  try {
    const flags = (mu !== 0 ? SGD_MOMENTUM : 0) | (firstStep ? SGD_FIRST_STEP : 0) | (nesterov ? SGD_NESTEROV : 0);
    const p = ops.inPlace(inputs[0]!), g = ops.ptr(inputs[1]!), buf = mu !== 0 ? ops.inPlace(inputs[2]!) : 0;
    team.run("sgdTask", [p, g, buf, n, ELEMENTS_PER_TASK, flags, ...f64Words(lr), ...f64Words(mu), ...f64Words(wd)],
      Math.ceil(n / ELEMENTS_PER_TASK), 0, 8 * n);
  } finally {
    ops.release();
  }
  return [];
}

/** A running average in place, rounded at each step as the element-wise ops it replaced. */
export function movingAverageKernel({ inputs, attrs, backend }: KernelArgs<MovingAverageAttrs, CpuBackend>): TensorInfo[] {
  checkMovingAverage(inputs[0], inputs[1]);
  const n = sizeOf(inputs[0]!.shape);
  const ops = new HeapOperands(backend);
  try {
    team.run("movingAverageTask", [ops.inPlace(inputs[0]!), ops.ptr(inputs[1]!), n, ELEMENTS_PER_TASK, ...f64Words(attrs.momentum), ...f64Words(attrs.scale)],
      Math.ceil(n / ELEMENTS_PER_TASK), 0, 5 * n);
  } finally {
    ops.release();
  }
  return [];
}
