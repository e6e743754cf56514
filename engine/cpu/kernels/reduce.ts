import type { TensorInfo } from "../../backend.js";
import { OpError, fmtShape } from "../../errors.js";
import type { ArgMaxAttrs, BroadcastToAttrs, ReduceAttrs } from "../../kernel_names.js";
import type { KernelArgs } from "../../kernel_registry.js";
import { checkBroadcastTo } from "../../op_checks.js";
import { broadcastStrides, normalizeAxes, sizeOf, stridesOf } from "../../shape.js";
import type { CpuBackend } from "../backend_cpu.js";
import { team } from "../wasm/team.js";
import { HeapOperands } from "./heap_operands.js";
import { coalesce } from "./strided.js";

/** Elements a task of the strided kernels reads (reduce) or writes (broadcast): fixed, so a split never depends on the thread count. */
const ELEMENTS_PER_TASK = 1 << 14;
/** Axes after merging that the strided tasks' parameter block has room for (8 words, then 3 per axis, in 64). */
const MAX_AXES = 18;

/**
 * The strided tasks' axis words: the count of axes after merging (strided.ts's
 * coalesce; one for a scalar), their sizes, x's strides, the output's strides.
 */
function mergedAxes(op: string, shape: readonly number[], xStrides: readonly number[], outStrides: readonly number[]): number[] {
  const c = shape.length === 0 ? { shape: [1], st0: [0], st1: [0] } : coalesce(shape, xStrides, outStrides, outStrides);
  if (c.shape.length > MAX_AXES) throw new OpError(op, `at most ${MAX_AXES} axes after merging`, `${c.shape.length} from shape ${fmtShape(shape)}`);
  return [c.shape.length, ...c.shape, ...c.st0, ...c.st1];
}

/**
 * Sum (or mean) over axes, accumulated in float64, as WebAssembly tasks over
 * blocks of outputs (engine/cpu/wasm/assembly/strided.ts).
 */
export function reduceKernel(op: "Sum" | "Mean") {
  return ({ inputs, attrs, backend }: KernelArgs<ReduceAttrs, CpuBackend>): TensorInfo[] => {
    const x = inputs[0]!;
    if (x.dtype !== "float32") throw new OpError(op, "a float32 input", `${x.dtype} of shape ${fmtShape(x.shape)}`);
    const axes = normalizeAxes(op, attrs.axes, x.shape.length);
    const kept = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
    const shape = attrs.keepDims ? kept : x.shape.filter((_, i) => !axes.includes(i));
    const count = op === "Mean" ? axes.reduce((p, a) => p * x.shape[a]!, 1) : 1;
    const size = sizeOf(kept), n = sizeOf(x.shape);
    const ops = new HeapOperands(backend);
    try {
      const out = ops.output(size);
      if (n === 0) {
        // nothing to add: 0 for a sum, 0/0 for a mean over an empty axis
        out.data.values.fill(0 / count);
      } else {
        const per = Math.max(1, Math.floor(ELEMENTS_PER_TASK / (n / size)));
        const [m, ...table] = mergedAxes(op, x.shape, stridesOf(x.shape), broadcastStrides(kept, x.shape));
        team.run("reduceTask", [ops.ptr(x), out.ptr, m!, count, per, size, 0, 0, ...table], Math.ceil(size / per), 0, n);
      }
      return [{ dataId: out.data, shape, dtype: "float32" }];
    } finally {
      ops.release();
    }
  };
}

/** Repeats a tensor along axes of size 1 (and new leading axes) to a larger shape. */
export function broadcastToKernel({ inputs, attrs, backend }: KernelArgs<BroadcastToAttrs, CpuBackend>): TensorInfo[] {
  const x = inputs[0]!;
  const shape = attrs.shape;
  checkBroadcastTo(x, shape);
  const size = sizeOf(shape);
  const ops = new HeapOperands(backend);
  try {
    const outId = backend.allocateUninit(size, x.dtype);
    if (size > 0) {
      const [m, ...axes] = mergedAxes("BroadcastTo", shape, broadcastStrides(x.shape, shape), stridesOf(shape));
      team.run("broadcastTask", [ops.ptr(x), outId.ptr, m!, ELEMENTS_PER_TASK, size, 0, 0, 0, ...axes], Math.ceil(size / ELEMENTS_PER_TASK), 0, size);
    }
    return [{ dataId: outId, shape, dtype: x.dtype }];
  } finally {
    ops.release();
  }
}

/** Index of the largest value along an axis (the first one on ties), as int32. */
export function argMaxKernel({ inputs, attrs, backend }: KernelArgs<ArgMaxAttrs, CpuBackend>): TensorInfo[] {
  const x = inputs[0]!;
  const [axis] = normalizeAxes("ArgMax", [attrs.axis], x.shape.length) as [number];
  const xv = backend.f32(x.dataId);
  const len = x.shape[axis]!;
  const inner = sizeOf(x.shape.slice(axis + 1));
  const outer = sizeOf(x.shape.slice(0, axis));
  const outId = backend.allocateUninit(outer * inner, "int32");
  const out = backend.i32(outId);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < inner; j++) {
      let best = 0, bestV = -Infinity;
      for (let i = 0; i < len; i++) {
        const v = xv[(o * len + i) * inner + j]!;
        if (v > bestV) { bestV = v; best = i; }
      }
      out[o * inner + j] = best;
    }
  }
  return [{ dataId: outId, shape: x.shape.filter((_, i) => i !== axis), dtype: "int32" }];
}
