import type { TensorInfo } from "../../backend.js";
import type { MovingAverageAttrs, SgdUpdateAttrs } from "../../kernel_names.js";
import type { KernelArgs } from "../../kernel_registry.js";
import { checkMovingAverage, checkSgdInputs } from "../../op_checks.js";
import type { CpuBackend } from "../backend_cpu.js";

/**
 * SGD in place. Every intermediate is rounded to float32 (Math.fround), so
 * the step equals the same rule written as float32 element-wise ops.
 */
export function sgdUpdateKernel({ inputs, attrs, backend }: KernelArgs<SgdUpdateAttrs, CpuBackend>): TensorInfo[] {
  checkSgdInputs(inputs, attrs.momentum);
  const f = Math.fround;
  const { lr, momentum: mu, nesterov, weightDecay: wd, firstStep } = attrs;
  const p = backend.f32(inputs[0]!.dataId), g = backend.f32(inputs[1]!.dataId);
  const buf = mu !== 0 ? backend.f32(inputs[2]!.dataId) : null;
  for (let i = 0; i < p.length; i++) {
    let d = wd !== 0 ? f(g[i]! + f(p[i]! * wd)) : g[i]!;
    if (buf !== null) {
      const b = firstStep ? d : f(f(buf[i]! * mu) + d);
      buf[i] = b;
      d = nesterov ? f(d + f(b * mu)) : b;
    }
    p[i] = f(p[i]! - f(d * lr));
  }
  return [];
}

/** A running average in place, rounded at each step as the element-wise ops it replaced. */
export function movingAverageKernel({ inputs, attrs, backend }: KernelArgs<MovingAverageAttrs, CpuBackend>): TensorInfo[] {
  checkMovingAverage(inputs[0], inputs[1]);
  const f = Math.fround;
  const t = backend.f32(inputs[0]!.dataId), v = backend.f32(inputs[1]!.dataId);
  const { momentum: m, scale } = attrs;
  for (let i = 0; i < t.length; i++) t[i] = f(f(t[i]! * (1 - m)) + f(f(v[i]! * scale) * m));
  return [];
}
