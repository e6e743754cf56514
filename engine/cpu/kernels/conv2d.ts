import type { TensorInfo } from "../../backend.js";
import { OpError, fmtShape } from "../../errors.js";
import type { Conv2DAttrs, Conv2DBackpropFilterAttrs, Conv2DBackpropInputAttrs } from "../../kernel_names.js";
import type { KernelArgs } from "../../kernel_registry.js";
import type { CpuBackend } from "../backend_cpu.js";
import { wasm } from "../wasm/module.js";
import { team } from "../wasm/team.js";
import { convGeometry, isDepthwise, isPointwise, type ConvGeometry } from "../../conv_geometry.js";
import { HeapOperands } from "./heap_operands.js";

// Convolution as GEMM per image and group (im2col, then the SIMD GEMM), with
// a direct kernel for depthwise convolution and no im2col for 1x1 convs.
// Grouped convolution is the same path: group g reads rows g*kg.. of the
// im2col matrix and filters g*coutG.. of the weights. The thread team takes
// images (forward, input gradient), planes (depthwise) or blocks of filter
// columns (filter gradient, each summed over images in order).

export const convSettings = {
  /** The filter gradient's im2col matrices are built for this many bytes of images at a time. */
  columnBufferBytes: 64 * 2 ** 20,
};
/** Column blocks of a filter gradient: fixed by shape, since with accumulation the block decides the rounding. */
const FILTER_BLOCKS = 8;

function checkFloat(op: string, inputs: readonly TensorInfo[]): void {
  for (const t of inputs) if (t.dtype !== "float32") throw new OpError(op, "float32 inputs", `${t.dtype} of shape ${fmtShape(t.shape)}`);
}

/** Parameter words 3..15 of the convolution tasks (engine/cpu/wasm/assembly/tasks.ts). */
const geometryWords = (g: ConvGeometry) => [g.c, g.h, g.w, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, g.oh, g.ow, g.cout, g.groups];
const colFloats = (g: ConvGeometry) => (isPointwise(g) ? 0 : g.c * g.kh * g.kw * g.p);
const macs = (g: ConvGeometry) => g.n * g.cout * g.kg * g.p;

/** Depthwise forward (img = x, out = y) or input gradient (img = dx, out = dy), split by planes. */
function depthwise(g: ConvGeometry, img: number, w: number, out: number, adjoint: boolean): void {
  const nc = g.n * g.c;
  const per = Math.max(1, Math.ceil(nc / (4 * team.threads)));
  team.run("depthwiseTask", [img, w, out, ...geometryWords(g), nc, per, adjoint ? 1 : 0], Math.ceil(nc / per), 0, 2 * macs(g));
}

export function conv2dKernel({ inputs, attrs, backend }: KernelArgs<Conv2DAttrs, CpuBackend>): TensorInfo[] {
  checkFloat("Conv2D", inputs);
  const [x, w] = inputs as [TensorInfo, TensorInfo];
  const g = convGeometry("Conv2D", x.shape, w.shape, attrs);
  const ops = new HeapOperands(backend);
  try {
    const px = ops.ptr(x), pw = ops.ptr(w);
    const y = ops.output(g.n * g.cout * g.p);
    if (isDepthwise(g)) {
      depthwise(g, px, pw, y.ptr, false);
    } else {
      team.run("convForwardTask", [px, pw, y.ptr, ...geometryWords(g)], g.n,
        colFloats(g) + wasm.fn.gemmScratchFloats(g.coutG, g.p), 2 * macs(g));
    }
    return [{ dataId: y.data, shape: [g.n, g.cout, g.oh, g.ow], dtype: "float32" }];
  } finally {
    ops.release();
  }
}

export function conv2dBackpropInputKernel({ inputs, attrs, backend }: KernelArgs<Conv2DBackpropInputAttrs, CpuBackend>): TensorInfo[] {
  checkFloat("Conv2DBackpropInput", inputs);
  const [dy, w] = inputs as [TensorInfo, TensorInfo];
  const g = convGeometry("Conv2DBackpropInput", attrs.xShape, w.shape, attrs);
  const expected = [g.n, g.cout, g.oh, g.ow];
  if (dy.shape.join() !== expected.join()) throw new OpError("Conv2DBackpropInput", `dy of shape ${fmtShape(expected)}`, fmtShape(dy.shape));
  const ops = new HeapOperands(backend);
  try {
    const pdy = ops.ptr(dy), pw = ops.ptr(w);
    const dx = ops.output(g.n * g.c * g.h * g.w);
    if (isDepthwise(g)) {
      depthwise(g, dx.ptr, pw, pdy, true);
    } else {
      team.run("convBackpropInputTask", [pdy, pw, dx.ptr, ...geometryWords(g)], g.n,
        colFloats(g) + wasm.fn.gemmScratchFloats(g.kg, g.p), 2 * macs(g));
    }
    return [{ dataId: dx.data, shape: [...attrs.xShape], dtype: "float32" }];
  } finally {
    ops.release();
  }
}

export function conv2dBackpropFilterKernel({ inputs, attrs, backend }: KernelArgs<Conv2DBackpropFilterAttrs, CpuBackend>): TensorInfo[] {
  checkFloat("Conv2DBackpropFilter", inputs);
  const [x, dy] = inputs as [TensorInfo, TensorInfo];
  const g = convGeometry("Conv2DBackpropFilter", x.shape, attrs.wShape, attrs);
  const expected = [g.n, g.cout, g.oh, g.ow];
  if (dy.shape.join() !== expected.join()) throw new OpError("Conv2DBackpropFilter", `dy of shape ${fmtShape(expected)}`, fmtShape(dy.shape));
  const ops = new HeapOperands(backend);
  try {
    const px = ops.ptr(x), pdy = ops.ptr(dy);
    const dw = ops.output(g.cout * g.kg);
    if (g.n === 0) {
      dw.data.values.fill(0);
    } else if (isDepthwise(g)) {
      const per = Math.max(1, Math.ceil(g.c / (4 * team.threads)));
      team.run("depthwiseFilterTask", [px, pdy, dw.ptr, ...geometryWords(g), g.n, per], Math.ceil(g.c / per), 0, 2 * macs(g));
    } else {
      filterGradient(g, px, pdy, dw.ptr);
    }
    return [{ dataId: dw.data, shape: [...attrs.wShape], dtype: "float32" }];
  } finally {
    ops.release();
  }
}

/** dW = sum over images of dy_i col_i^T, images in order, im2col built for a bounded group of images at a time. */
function filterGradient(g: ConvGeometry, px: number, pdy: number, pdw: number): void {
  const cf = colFloats(g);
  const perGroup = cf === 0 ? g.n : Math.max(1, Math.min(g.n, Math.floor(convSettings.columnBufferBytes / (4 * cf))));
  const chunkCols = Math.ceil(Math.ceil(g.kg / FILTER_BLOCKS) / 8) * 8;
  const chunks = Math.ceil(g.kg / chunkCols);
  const col = cf === 0 ? px : wasm.heap.alloc(4 * cf * perGroup);
  try {
    for (let first = 0; first < g.n; first += perGroup) {
      const count = Math.min(perGroup, g.n - first);
      if (cf > 0) team.run("im2colTask", [px, col, first, ...geometryWords(g)], count, 0, count * cf);
      team.run("convBackpropFilterTask", [col, pdy, pdw, ...geometryWords(g), first, count, chunks, chunkCols], g.groups * chunks,
        wasm.fn.gemmScratchFloats(g.coutG, chunkCols), 2 * count * g.cout * g.kg * g.p);
    }
  } finally {
    if (cf > 0) wasm.heap.release(col);
  }
}
