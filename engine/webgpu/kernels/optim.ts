import type { TensorInfo } from "../../backend.js";
import type { MovingAverageAttrs, SgdUpdateAttrs } from "../../kernel_names.js";
import type { KernelArgs } from "../../kernel_registry.js";
import { checkMovingAverage, checkSgdInputs } from "../../op_checks.js";
import { sizeOf } from "../../shape.js";
import type { GpuData, WebGpuBackend } from "../backend_webgpu.js";
import { PRELUDE, f32Bits, groupsFor, perElement, storage } from "../wgsl.js";

// Uniforms: 0 count, 1 lr, 2 momentum, 3 weight decay, 4 nesterov, 5 first step.
const sgdProgram = (momentum: boolean) => ({
  key: `sgd:${momentum}`,
  code: () => `${PRELUDE}
${storage(1, "p", "f32", true)}
${storage(2, "g", "f32")}
${momentum ? storage(3, "buf", "f32", true) : ""}
${perElement()}
  var d = g[i];
  if (PF(3u) != 0.0) { d = d + p[i] * PF(3u); }
  ${momentum ? `var b = d;
  if (P(5u) == 0u) { b = buf[i] * PF(2u) + d; }
  buf[i] = b;
  if (P(4u) == 1u) { d = d + b * PF(2u); } else { d = b; }` : ""}
  p[i] = p[i] - d * PF(1u);
}`,
});

/** One dispatch per parameter. */
export function sgdUpdateKernel({ inputs, attrs, backend }: KernelArgs<SgdUpdateAttrs, WebGpuBackend>): TensorInfo[] {
  const count = checkSgdInputs(inputs, attrs.momentum, attrs.firstStep), width = attrs.momentum !== 0 ? 3 : 2;
  for (let i = 0; i < count; i++) {
    const group = inputs.slice(i * width, (i + 1) * width), n = sizeOf(group[0]!.shape);
    const uniforms = [n, f32Bits(attrs.lr), f32Bits(attrs.momentum), f32Bits(attrs.weightDecay), attrs.nesterov ? 1 : 0, attrs.firstStep[i] ? 1 : 0];
    backend.dispatch(sgdProgram(attrs.momentum !== 0), group.map((t) => t.dataId as GpuData), uniforms, groupsFor(n));
  }
  return [];
}

// Uniforms: 0 count, 1 1 - momentum, 2 momentum, 3 scale.
const MOVING_AVERAGE = {
  key: "movingAverage",
  code: () => `${PRELUDE}
${storage(1, "avg", "f32", true)}
${storage(2, "value", "f32")}
${perElement()}
  avg[i] = avg[i] * PF(1u) + (value[i] * PF(3u)) * PF(2u);
}`,
};

/** One dispatch per average. */
export function movingAverageKernel({ inputs, attrs, backend }: KernelArgs<MovingAverageAttrs, WebGpuBackend>): TensorInfo[] {
  const count = checkMovingAverage(inputs, attrs.scales);
  for (let i = 0; i < count; i++) {
    const n = sizeOf(inputs[2 * i]!.shape);
    const uniforms = [n, f32Bits(1 - attrs.momentum), f32Bits(attrs.momentum), f32Bits(attrs.scales[i]!)];
    backend.dispatch(MOVING_AVERAGE, [inputs[2 * i]!.dataId as GpuData, inputs[2 * i + 1]!.dataId as GpuData], uniforms, groupsFor(n));
  }
  return [];
}
