import type { TensorInfo } from "../../backend.js";
import type { MovingAverageAttrs, SgdUpdateAttrs } from "../../kernel_names.js";
import type { KernelArgs } from "../../kernel_registry.js";
import { checkMovingAverage, checkSgdInputs } from "../../op_checks.js";
import { sizeOf } from "../../shape.js";
import type { CpuBackend } from "../backend_cpu.js";
import { PARAMS_WORDS, team } from "../wasm/team.js";
import { ELEMENTS_PER_TASK } from "./elementwise_wasm.js";
import { HeapOperands, f64Words } from "./heap_operands.js";

// The optimiser's in-place updates as WebAssembly tasks of the kernel team
// (engine/cpu/wasm/assembly/optim.ts), over many tensors per call: a
// network's small tensors each fill less than one task, and one call per
// tensor would leave all but one thread waiting. Each operation rounds to
// float32, so an update gives the bits of the same rule written as float32
// element-wise ops, on any number of threads.

/** Flags of sgdTask, as engine/cpu/wasm/assembly/optim.ts defines them. */
const SGD_MOMENTUM = 1, SGD_NESTEROV = 2;
/** Parameter words per tensor of sgdTask and movingAverageTask, after their header (9 and 4 words). */
const WORDS_PER_TENSOR = 5;

/**
 * Posts `kernel` over tensors of `sizes` elements, as many per call as the
 * parameter block holds: the call's tensor count, the `header` words, then
 * each tensor's words (`tensorWords`); `flopsPerElement` sizes the work.
 */
function postGroups(kernel: "sgdTask" | "movingAverageTask", header: number[], sizes: readonly number[], tensorWords: (i: number) => number[], flopsPerElement: number): void {
  const perCall = Math.floor((PARAMS_WORDS - 1 - header.length) / WORDS_PER_TENSOR);
  for (let first = 0; first < sizes.length; first += perCall) {
    const last = Math.min(sizes.length, first + perCall), words = [last - first, ...header];
    let tasks = 0, elements = 0;
    for (let i = first; i < last; i++) {
      tasks += Math.ceil(sizes[i]! / ELEMENTS_PER_TASK);
      elements += sizes[i]!;
      words.push(...tensorWords(i));
    }
    team.run(kernel, words, tasks, 0, flopsPerElement * elements);
  }
}

/** SGD in place on each parameter: weight decay, then momentum (Nesterov optional), then the step. */
export function sgdUpdateKernel({ inputs, attrs, backend }: KernelArgs<SgdUpdateAttrs, CpuBackend>): TensorInfo[] {
  const { lr, momentum: mu, nesterov, weightDecay: wd, firstStep } = attrs;
  const width = mu !== 0 ? 3 : 2;
  const sizes = Array.from({ length: checkSgdInputs(inputs, mu, firstStep) }, (_, i) => sizeOf(inputs[i * width]!.shape));
  const ops = new HeapOperands(backend);
  try {
    const flags = (mu !== 0 ? SGD_MOMENTUM : 0) | (nesterov ? SGD_NESTEROV : 0);
    const header = [ELEMENTS_PER_TASK, flags, ...f64Words(lr), ...f64Words(mu), ...f64Words(wd)];
    postGroups("sgdTask", header, sizes, (i) => {
      const [p, g, buf] = inputs.slice(i * width, (i + 1) * width);
      return [ops.inPlace(p!), ops.ptr(g!), buf !== undefined ? ops.inPlace(buf) : 0, sizes[i]!, firstStep[i] ? 1 : 0];
    }, 8);
  } finally {
    ops.release();
  }
  return [];
}

/** Running averages in place, each rounded at each step as the element-wise ops it replaced. */
export function movingAverageKernel({ inputs, attrs, backend }: KernelArgs<MovingAverageAttrs, CpuBackend>): TensorInfo[] {
  const sizes = Array.from({ length: checkMovingAverage(inputs, attrs.scales) }, (_, i) => sizeOf(inputs[2 * i]!.shape));
  const ops = new HeapOperands(backend);
  try {
    postGroups("movingAverageTask", [ELEMENTS_PER_TASK, ...f64Words(attrs.momentum)], sizes, (i) =>
      [ops.inPlace(inputs[2 * i]!), ops.ptr(inputs[2 * i + 1]!), sizes[i]!, ...f64Words(attrs.scales[i]!)], 5);
  } finally {
    ops.release();
  }
  return [];
}
