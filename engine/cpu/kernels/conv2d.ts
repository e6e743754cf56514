import type { TensorInfo } from "../../backend.js";
import { OpError, fmtShape } from "../../errors.js";
import type { Conv2DAttrs, Conv2DBackpropFilterAttrs, Conv2DBackpropInputAttrs } from "../../kernel_names.js";
import type { KernelArgs } from "../../kernel_registry.js";
import type { CpuBackend } from "../backend_cpu.js";
import { wasm } from "../wasm/module.js";
import { team } from "../wasm/team.js";
import { convGeometry, isDepthwise, isPointwise, type ConvGeometry } from "../../conv_geometry.js";
import { HeapOperands } from "./heap_operands.js";

// Convolution as GEMM per image and group (im2col, then the SIMD GEMM; no
// im2col for 1x1 convs), except where another kernel does less: Winograd's
// F(2x2, 3x3) for stride-1 one-group 3x3 passes with 12 or more channels
// (usesWinograd, winograd.ts), a direct kernel for other stride-1 one-group
// convolutions with few channels (usesDirect) and stride-1 depthwise ones
// (direct_conv.ts), and other depthwise ones (conv.ts).
// Grouped convolution is the GEMM path: group g reads rows g*kg.. of the
// im2col matrix and filters g*coutG.. of the weights. The thread team takes
// images (forward, input gradient), planes (depthwise) or runs of images
// (filter gradient, summed apart and then in order).

export const convSettings = {
  /**
   * Algorithm by shape (see usesDirect, usesWinograd, ROW_DOTS_MAX), or
   * forced for tests and benchmarks: "never" is the GEMM everywhere,
   * "always" the direct kernel wherever it applies, "winograd" the direct
   * kernel with Winograd's for every 3x3 forward and input gradient.
   */
  direct: "auto" as "auto" | "always" | "never" | "winograd",
};
/** Runs of images whose filter gradients the team sums apart: fixed by the shape, since the runs decide the rounding. */
const FILTER_SLICES = 16;
/** Fewer runs where their partial gradients would take more memory than this. */
const FILTER_PARTIAL_BYTES = 64 * 2 ** 20;
/**
 * A filter gradient (per group) of at most this many elements is summed as
 * dot products of rows (assembly/row_dots.ts), not by the GEMM, whose
 * packing is repeated for every image's short k. Measured on one thread,
 * batch 64 or 32: 4.3x the GEMM's speed for 8 -> 8 channels 1x1 at 28x28,
 * 1.3-1.8x up to 64 -> 64 (1x1 at 8x8 and 16x16, 3x3 at 8x8), level at
 * 128 -> 128 3x3 at 8x8 (147456 elements), 0.9x at 320 -> 320 1x1 at 7x7
 * (102400).
 */
const ROW_DOTS_MAX = 65536;

/**
 * Channels from which Winograd's kernel runs the 3x3 passes. Measured on one
 * thread with FMA, batch 64, forward, against the direct kernel: 0.93-0.98x
 * its speed at 8 channels 28x28, 1.22x at 12 at 14x14, 1.09-1.26x at 16,
 * 1.35-1.56x at 32, 1.84-1.95x at 64, 2.15x at 128 8x8; against im2col +
 * GEMM (the path past 32 channels) 1.7-2.6x from 16 to 128 channels.
 */
const WINOGRAD_MIN_CHANNELS = 12;

function checkFloat(op: string, inputs: readonly TensorInfo[]): void {
  for (const t of inputs) if (t.dtype !== "float32") throw new OpError(op, "float32 inputs", `${t.dtype} of shape ${fmtShape(t.shape)}`);
}

/** Parameter words 3..15 of the convolution tasks (engine/cpu/wasm/assembly/tasks.ts). */
const geometryWords = (g: ConvGeometry) => [g.c, g.h, g.w, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, g.oh, g.ow, g.cout, g.groups];
const colFloats = (g: ConvGeometry) => (isPointwise(g) ? 0 : g.c * g.kh * g.kw * g.p);
const macs = (g: ConvGeometry) => g.n * g.cout * g.kg * g.p;

/** Stride 1 and padding below the kernel: the flat-layout kernels of direct_conv.ts apply. */
function fitsFlatLayout(g: ConvGeometry): boolean {
  return g.sh === 1 && g.sw === 1 && g.ph < g.kh && g.pw < g.kw;
}

/** The plane a flat-layout pass reads, and its padding: x for the forward pass, dy padded by k-1-p for the input gradient. */
function flatInput(g: ConvGeometry, adjoint: boolean): [h: number, w: number, ph: number, pw: number] {
  return adjoint ? [g.oh, g.ow, g.kh - 1 - g.ph, g.kw - 1 - g.pw] : [g.h, g.w, g.ph, g.pw];
}

/**
 * Whether the direct kernel (engine/cpu/wasm/assembly/direct_conv.ts) runs a
 * pass: stride 1, one group, a kernel larger than 1x1, and few channels on
 * both sides, where im2col + GEMM moves more memory than it multiplies. A
 * 1x1 convolution needs no im2col: since the GEMM's 4x8 tile, its GEMM path
 * is as fast or faster (2026-12-04, one thread, batch 64, the three passes
 * together: 8 channels at 28x28 1.32 ms against 1.57, 16 at 32x32 5.0
 * against 7.7, 16 at 14x14 1.45 against 1.52; 32 channels within 1%).
 */
export function usesDirect(g: ConvGeometry): boolean {
  const eligible = g.groups === 1 && fitsFlatLayout(g);
  if (!eligible || convSettings.direct === "never") return false;
  return convSettings.direct !== "auto" || (g.kh * g.kw > 1 && g.c <= 32 && g.cout <= 32);
}

/**
 * Whether a forward or input-gradient pass runs as Winograd's F(2x2, 3x3)
 * (engine/cpu/wasm/assembly/winograd.ts), which multiplies 16 times per 2x2
 * outputs where the direct kernel does 36, and spends the difference on
 * transforms whose cost grows with the channels, not with their product:
 * a stride-1 one-group 3x3 convolution with WINOGRAD_MIN_CHANNELS or more
 * on each side.
 */
export function usesWinograd(g: ConvGeometry): boolean {
  const eligible = g.groups === 1 && fitsFlatLayout(g) && g.kh === 3 && g.kw === 3;
  if (!eligible) return false;
  return convSettings.direct === "winograd" || (convSettings.direct === "auto" && Math.min(g.c, g.cout) >= WINOGRAD_MIN_CHANNELS);
}

/**
 * Stride-1 convolution of n images by Winograd's kernel or the direct one,
 * x -> y; `adjoint` is the input gradient (x = dy, y = dx). Both take the
 * same parameter words and pack (transform) the filters once per call.
 */
function flat(g: ConvGeometry, x: number, w: number, y: number, adjoint: boolean): void {
  const [inC, outC] = adjoint ? [g.cout, g.c] : [g.c, g.cout];
  const [h, wd, ph, pw] = flatInput(g, adjoint);
  const winograd = usesWinograd(g);
  const packedFloats = winograd ? wasm.fn.winogradPackedFloats(inC, outC) : wasm.fn.directPackedFloats(inC, outC, g.kh, g.kw);
  const packed = wasm.heap.alloc(4 * packedFloats);
  try {
    const params = [x, w, y, inC, h, wd, g.kh, g.kw, ph, pw, outC, adjoint ? 1 : 0, packed];
    if (winograd) {
      team.run("winogradPackTask", params, wasm.fn.winogradPackTasks(outC), 0, 16 * packedFloats);
      team.run("winogradConvTask", params, g.n, wasm.fn.winogradScratchFloats(inC, h, wd, ph, pw), 2 * macs(g));
    } else {
      team.run("directPackTask", params, wasm.fn.directPackTasks(outC), 0, packedFloats);
      team.run("directConvTask", params, g.n, wasm.fn.directConvScratchFloats(inC, h, wd, g.kh, g.kw, ph, pw), 2 * macs(g));
    }
  } finally {
    wasm.heap.release(packed);
  }
}

/** Depthwise forward (img = x, out = y) or input gradient (img = dx, out = dy), split by planes. */
function depthwise(g: ConvGeometry, img: number, w: number, out: number, adjoint: boolean): void {
  const nc = g.n * g.c;
  const per = Math.max(1, Math.ceil(nc / (4 * team.threads)));
  if (fitsFlatLayout(g) && convSettings.direct !== "never") {
    // the flat-layout kernel of direct_conv.ts, one plane at a time
    const [src, dst] = adjoint ? [out, img] : [img, out];
    const [h, wd, ph, pw] = flatInput(g, adjoint);
    team.run("depthwiseDirectTask", [src, w, dst, nc, g.c, h, wd, g.kh, g.kw, ph, pw, adjoint ? 1 : 0, per], Math.ceil(nc / per),
      wasm.fn.depthwiseDirectScratch(h, wd, g.kh, g.kw, ph, pw), 2 * macs(g));
    return;
  }
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
    } else if (usesWinograd(g) || usesDirect(g)) {
      flat(g, px, pw, y.ptr, false);
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
    } else if (usesWinograd(g) || usesDirect(g)) {
      flat(g, pdy, pw, dx.ptr, true);
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
    } else if (usesDirect(g)) {
      directFilterGradient(g, px, pdy, dw.ptr);
    } else {
      filterGradient(g, px, pdy, dw.ptr);
    }
    return [{ dataId: dw.data, shape: [...attrs.wShape], dtype: "float32" }];
  } finally {
    ops.release();
  }
}

/**
 * dW = the sum over the images of their filter gradients, the images cut
 * into runs by the shape alone (at most FILTER_SLICES runs, whose partial
 * gradients fit FILTER_PARTIAL_BYTES): `sumRuns` has the team write each
 * run's sum apart, a gradient of dW's size per run in `partials`; the runs
 * are then added in order. The runs never depend on the thread count, so
 * neither do the bits.
 */
function summedOverRuns(g: ConvGeometry, pdw: number, sumRuns: (partials: number, per: number, runs: number) => void): void {
  const wSize = g.cout * g.kg;
  const per = Math.ceil(g.n / Math.min(g.n, FILTER_SLICES, Math.max(1, Math.floor(FILTER_PARTIAL_BYTES / (4 * wSize)))));
  const runs = Math.ceil(g.n / per);
  const partials = wasm.heap.alloc(4 * wSize * runs);
  try {
    sumRuns(partials, per, runs);
    const chunk = 4096;
    team.run("sumSlicesTask", [partials, pdw, wSize, runs, chunk, 0], Math.ceil(wSize / chunk), 0, wSize * runs);
  } finally {
    wasm.heap.release(partials);
  }
}

/**
 * dW_g = the sum over images of dy_g col_g^T, where col is an image's im2col
 * matrix (its x itself for a 1x1 convolution), summed over runs of images:
 * each run image by image in order, building each im2col matrix in its own
 * scratch, so neither x nor dy is copied to a column layout.
 */
function filterGradient(g: ConvGeometry, px: number, pdy: number, pdw: number): void {
  summedOverRuns(g, pdw, (partials, per, runs) => {
    const rowDotsMax = convSettings.direct === "never" ? 0 : ROW_DOTS_MAX;
    team.run("filterSliceTask", [px, pdy, partials, ...geometryWords(g), g.n, per, rowDotsMax], runs,
      colFloats(g) + wasm.fn.gemmScratchFloats(g.coutG, g.kg), 2 * g.n * g.cout * g.kg * g.p);
  });
}

/**
 * The filter gradient of the direct kernel (engine/cpu/wasm/assembly/
 * direct_filter.ts), summed over runs of images, each run's images placed
 * in its task's scratch.
 */
function directFilterGradient(g: ConvGeometry, px: number, pdy: number, pdw: number): void {
  summedOverRuns(g, pdw, (partials, per, runs) => {
    team.run("directFilterRunTask", [px, pdy, partials, g.n, per, g.c, g.h, g.w, g.cout, g.kh, g.kw, g.ph, g.pw], runs,
      wasm.fn.directFilterScratchFloats(per, g.c, g.cout, g.h, g.w, g.kh, g.kw, g.ph, g.pw), 2 * macs(g));
  });
}
