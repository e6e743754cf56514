import type { TensorInfo } from "../../backend.js";
import { OpError, fmtShape } from "../../errors.js";
import type { Activation, ActivationGradAttrs, ScalarAttrs } from "../../kernel_names.js";
import type { KernelArgs } from "../../kernel_registry.js";
import { shapesEqual } from "../../shape.js";
import type { CpuBackend } from "../backend_cpu.js";

type Map1 = (out: Float32Array, x: Float32Array, c: number) => void;

// Element-wise maps, each its own loop. `c` is the scalar of the scalar ops.
const maps: Record<string, Map1> = {
  // branch-free: activations are positive about half the time, and a
  // mispredicted branch per element costs several times the arithmetic
  Relu(o, x) { for (let i = 0; i < x.length; i++) { const v = x[i]!; o[i] = (v + Math.abs(v)) * 0.5; } },
  Relu6(o, x) { for (let i = 0; i < x.length; i++) { const v = x[i]!; o[i] = v < 0 ? 0 : v > 6 ? 6 : v; } },
  Sigmoid(o, x) { for (let i = 0; i < x.length; i++) o[i] = 1 / (1 + Math.exp(-x[i]!)); },
  // relu6(x + 3) / 6, as PyTorch's hardsigmoid
  HardSigmoid(o, x) { for (let i = 0; i < x.length; i++) { const v = x[i]! + 3; o[i] = (v < 0 ? 0 : v > 6 ? 6 : v) / 6; } },
  HardSwish(o, x) { for (let i = 0; i < x.length; i++) { const u = x[i]!, v = u + 3; o[i] = (u * (v < 0 ? 0 : v > 6 ? 6 : v)) / 6; } },
  Exp(o, x) { for (let i = 0; i < x.length; i++) o[i] = Math.exp(x[i]!); },
  Log(o, x) { for (let i = 0; i < x.length; i++) o[i] = Math.log(x[i]!); },
  Neg(o, x) { for (let i = 0; i < x.length; i++) o[i] = -x[i]!; },
  Sqrt(o, x) { for (let i = 0; i < x.length; i++) o[i] = Math.sqrt(x[i]!); },
  AddScalar(o, x, c) { for (let i = 0; i < x.length; i++) o[i] = x[i]! + c; },
  MulScalar(o, x, c) { for (let i = 0; i < x.length; i++) o[i] = x[i]! * c; },
  PowScalar(o, x, c) { for (let i = 0; i < x.length; i++) o[i] = Math.pow(x[i]!, c); },
};

export function unaryKernel(op: string) {
  const map = maps[op];
  if (map === undefined) throw new Error(`unaryKernel: no map for ${op}`);
  return ({ inputs, attrs, backend }: KernelArgs<Partial<ScalarAttrs> | undefined, CpuBackend>): TensorInfo[] => {
    const x = inputs[0]!;
    if (x.dtype !== "float32") throw new OpError(op, "a float32 input", `${x.dtype} of shape ${fmtShape(x.shape)}`);
    const xv = backend.f32(x.dataId);
    const outId = backend.allocate(xv.length, "float32");
    map(backend.f32(outId), xv, attrs?.value ?? 0);
    return [{ dataId: outId, shape: x.shape, dtype: "float32" }];
  };
}

type Grad1 = (dx: Float32Array, dy: Float32Array, x: Float32Array) => void;

// dx = dy * f'(x), with x the activation's input (sigmoid takes its output y instead).
const grads: Record<Activation, Grad1> = {
  relu(dx, dy, x) { for (let i = 0; i < x.length; i++) dx[i] = dy[i]! * +(x[i]! > 0); },
  relu6(dx, dy, x) { for (let i = 0; i < x.length; i++) { const v = x[i]!; dx[i] = v > 0 && v < 6 ? dy[i]! : 0; } },
  sigmoid(dx, dy, y) { for (let i = 0; i < y.length; i++) { const s = y[i]!; dx[i] = dy[i]! * s * (1 - s); } },
  hardSigmoid(dx, dy, x) { for (let i = 0; i < x.length; i++) { const v = x[i]!; dx[i] = v > -3 && v < 3 ? dy[i]! / 6 : 0; } },
  hardSwish(dx, dy, x) {
    for (let i = 0; i < x.length; i++) {
      const v = x[i]!;
      dx[i] = v < -3 ? 0 : v > 3 ? dy[i]! : (dy[i]! * (2 * v + 3)) / 6;
    }
  },
};

export function activationGradKernel({ inputs, attrs, backend }: KernelArgs<ActivationGradAttrs, CpuBackend>): TensorInfo[] {
  const [dy, x] = inputs as [TensorInfo, TensorInfo];
  if (!shapesEqual(dy.shape, x.shape)) throw new OpError("ActivationGrad", `dy of shape ${fmtShape(x.shape)}`, fmtShape(dy.shape));
  const outId = backend.allocate(dy.shape.reduce((a, b) => a * b, 1), "float32");
  grads[attrs.activation](backend.f32(outId), backend.f32(dy.dataId), backend.f32(x.dataId));
  return [{ dataId: outId, shape: x.shape, dtype: "float32" }];
}
