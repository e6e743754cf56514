import type { TensorInfo } from "../../backend.js";
import { OpError, fmtShape } from "../../errors.js";
import type { Conv2DAttrs, Conv2DBackpropFilterAttrs, Conv2DBackpropInputAttrs } from "../../kernel_names.js";
import type { KernelArgs } from "../../kernel_registry.js";
import type { CpuBackend } from "../backend_cpu.js";
import { wasm } from "../wasm/module.js";
import { convGeometry, isDepthwise, isPointwise, type ConvGeometry } from "../../conv_geometry.js";

// Convolution as GEMM per image and group (im2col, then the SIMD GEMM), with
// a direct kernel for depthwise convolution and no im2col for 1x1 convs.
// Grouped convolution is the same path: group g reads rows g*kg.. of the
// im2col matrix and filters g*coutG.. of the weights.

function checkFloat(op: string, inputs: readonly TensorInfo[]): void {
  for (const t of inputs) if (t.dtype !== "float32") throw new OpError(op, "float32 inputs", `${t.dtype} of shape ${fmtShape(t.shape)}`);
}

const geomArgs = (g: ConvGeometry) => [g.c, g.h, g.w, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, g.oh, g.ow] as const;
const dwArgs = (g: ConvGeometry) => [g.n * g.c, g.c, g.h, g.w, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, g.oh, g.ow] as const;

export function conv2dKernel({ inputs, attrs, backend }: KernelArgs<Conv2DAttrs, CpuBackend>): TensorInfo[] {
  checkFloat("Conv2D", inputs);
  const [x, w] = inputs as [TensorInfo, TensorInfo];
  const g = convGeometry("Conv2D", x.shape, w.shape, attrs);
  const outId = backend.allocate(g.n * g.cout * g.p, "float32");
  const y = backend.f32(outId), xv = backend.f32(x.dataId), wv = backend.f32(w.dataId);
  const f = wasm.fn;
  if (isDepthwise(g)) {
    const [px, pwt, py] = wasm.layout(xv.length, wv.length, y.length);
    wasm.f32.set(xv, px! >> 2);
    wasm.f32.set(wv, pwt! >> 2);
    f.depthwiseForward(px!, pwt!, py!, ...dwArgs(g));
    y.set(wasm.f32.subarray(py! >> 2, (py! >> 2) + y.length));
  } else {
    const pointwise = isPointwise(g);
    const imgIn = g.c * g.h * g.w, imgOut = g.cout * g.p;
    const [pwt, px, pcol, py, ps] = wasm.layout(wv.length, imgIn, pointwise ? 0 : g.c * g.kh * g.kw * g.p, imgOut, f.gemmScratchFloats(g.coutG, g.p));
    const heap = wasm.f32;
    heap.set(wv, pwt! >> 2);
    const col = pointwise ? px! : pcol!;
    for (let i = 0; i < g.n; i++) {
      heap.set(xv.subarray(i * imgIn, (i + 1) * imgIn), px! >> 2);
      if (!pointwise) f.im2col(px!, ...geomArgs(g), pcol!);
      for (let grp = 0; grp < g.groups; grp++) {
        f.sgemm(g.coutG, g.p, g.kg,
          pwt! + 4 * grp * g.coutG * g.kg, g.kg, 1,
          col + 4 * grp * g.kg * g.p, g.p, 1,
          py! + 4 * grp * g.coutG * g.p, g.p, 0, ps!);
      }
      y.set(heap.subarray(py! >> 2, (py! >> 2) + imgOut), i * imgOut);
    }
  }
  return [{ dataId: outId, shape: [g.n, g.cout, g.oh, g.ow], dtype: "float32" }];
}

export function conv2dBackpropInputKernel({ inputs, attrs, backend }: KernelArgs<Conv2DBackpropInputAttrs, CpuBackend>): TensorInfo[] {
  checkFloat("Conv2DBackpropInput", inputs);
  const [dy, w] = inputs as [TensorInfo, TensorInfo];
  const g = convGeometry("Conv2DBackpropInput", attrs.xShape, w.shape, attrs);
  const expected = [g.n, g.cout, g.oh, g.ow];
  if (dy.shape.join() !== expected.join()) throw new OpError("Conv2DBackpropInput", `dy of shape ${fmtShape(expected)}`, fmtShape(dy.shape));
  const outId = backend.allocate(g.n * g.c * g.h * g.w, "float32");
  const dx = backend.f32(outId), dyv = backend.f32(dy.dataId), wv = backend.f32(w.dataId);
  const f = wasm.fn;
  if (isDepthwise(g)) {
    const [pdy, pwt, pdx] = wasm.layout(dyv.length, wv.length, dx.length);
    wasm.f32.set(dyv, pdy! >> 2);
    wasm.f32.set(wv, pwt! >> 2);
    f.depthwiseBackpropInput(pdy!, pwt!, pdx!, ...dwArgs(g));
    dx.set(wasm.f32.subarray(pdx! >> 2, (pdx! >> 2) + dx.length));
  } else {
    const pointwise = isPointwise(g);
    const imgIn = g.c * g.h * g.w, imgOut = g.cout * g.p;
    const [pwt, pdy, pcol, pdx, ps] = wasm.layout(wv.length, imgOut, pointwise ? 0 : g.c * g.kh * g.kw * g.p, imgIn, f.gemmScratchFloats(g.kg, g.p));
    const heap = wasm.f32;
    heap.set(wv, pwt! >> 2);
    const dcol = pointwise ? pdx! : pcol!;
    for (let i = 0; i < g.n; i++) {
      heap.set(dyv.subarray(i * imgOut, (i + 1) * imgOut), pdy! >> 2);
      for (let grp = 0; grp < g.groups; grp++) {
        // dcol_g[kg, p] = W_g^T [kg, coutG] x dy_g [coutG, p]
        f.sgemm(g.kg, g.p, g.coutG,
          pwt! + 4 * grp * g.coutG * g.kg, 1, g.kg,
          pdy! + 4 * grp * g.coutG * g.p, g.p, 1,
          dcol + 4 * grp * g.kg * g.p, g.p, 0, ps!);
      }
      if (!pointwise) {
        heap.fill(0, pdx! >> 2, (pdx! >> 2) + imgIn);
        f.col2im(pcol!, ...geomArgs(g), pdx!);
      }
      dx.set(heap.subarray(pdx! >> 2, (pdx! >> 2) + imgIn), i * imgIn);
    }
  }
  return [{ dataId: outId, shape: [...attrs.xShape], dtype: "float32" }];
}

export function conv2dBackpropFilterKernel({ inputs, attrs, backend }: KernelArgs<Conv2DBackpropFilterAttrs, CpuBackend>): TensorInfo[] {
  checkFloat("Conv2DBackpropFilter", inputs);
  const [x, dy] = inputs as [TensorInfo, TensorInfo];
  const g = convGeometry("Conv2DBackpropFilter", x.shape, attrs.wShape, attrs);
  const expected = [g.n, g.cout, g.oh, g.ow];
  if (dy.shape.join() !== expected.join()) throw new OpError("Conv2DBackpropFilter", `dy of shape ${fmtShape(expected)}`, fmtShape(dy.shape));
  const wSize = g.cout * g.kg;
  const outId = backend.allocate(wSize, "float32");
  const dw = backend.f32(outId), xv = backend.f32(x.dataId), dyv = backend.f32(dy.dataId);
  const f = wasm.fn;
  if (isDepthwise(g)) {
    const [px, pdy, pdw] = wasm.layout(xv.length, dyv.length, wSize);
    const heap = wasm.f32;
    heap.set(xv, px! >> 2);
    heap.set(dyv, pdy! >> 2);
    heap.fill(0, pdw! >> 2, (pdw! >> 2) + wSize);
    f.depthwiseBackpropFilter(px!, pdy!, pdw!, ...dwArgs(g));
    dw.set(heap.subarray(pdw! >> 2, (pdw! >> 2) + wSize));
  } else {
    const pointwise = isPointwise(g);
    const imgIn = g.c * g.h * g.w, imgOut = g.cout * g.p;
    const [pdw, px, pcol, pdy, ps] = wasm.layout(wSize, imgIn, pointwise ? 0 : g.c * g.kh * g.kw * g.p, imgOut, f.gemmScratchFloats(g.coutG, g.kg));
    const heap = wasm.f32;
    const col = pointwise ? px! : pcol!;
    heap.fill(0, pdw! >> 2, (pdw! >> 2) + wSize);
    for (let i = 0; i < g.n; i++) {
      heap.set(xv.subarray(i * imgIn, (i + 1) * imgIn), px! >> 2);
      heap.set(dyv.subarray(i * imgOut, (i + 1) * imgOut), pdy! >> 2);
      if (!pointwise) f.im2col(px!, ...geomArgs(g), pcol!);
      for (let grp = 0; grp < g.groups; grp++) {
        // dW_g[coutG, kg] += dy_g [coutG, p] x col_g^T [p, kg]
        f.sgemm(g.coutG, g.kg, g.p,
          pdy! + 4 * grp * g.coutG * g.p, g.p, 1,
          col + 4 * grp * g.kg * g.p, 1, g.p,
          pdw! + 4 * grp * g.coutG * g.kg, g.kg, i > 0 ? 1 : 0, ps!);
      }
    }
    dw.set(heap.subarray(pdw! >> 2, (pdw! >> 2) + wSize));
  }
  return [{ dataId: outId, shape: [...attrs.wShape], dtype: "float32" }];
}
