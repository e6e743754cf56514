import type { TensorInfo } from "../../backend.js";
import { OpError, fmtShape } from "../../errors.js";
import type { Activation, ActivationGradAttrs, ScalarAttrs } from "../../kernel_names.js";
import type { KernelArgs } from "../../kernel_registry.js";
import { shapesEqual, sizeOf } from "../../shape.js";
import type { CpuBackend } from "../backend_cpu.js";
import { f64Words } from "./heap_operands.js";
import { elementwise } from "./elementwise_wasm.js";

type Map1 = (out: Float32Array, x: Float32Array, c: number) => void;

/**
 * ReLU and ReLU6 run as WebAssembly SIMD (activationTask's codes), the
 * scalar add and multiply as WebAssembly in f64 (scalarTask's codes, the
 * same bits as before in JavaScript): they sit on training steps' hot paths
 * (a supernet's `none` edge is x * 0).
 */
const WASM_ACTIVATION: Partial<Record<string, number>> = { Relu: 0, Relu6: 1 };
const WASM_SCALAR: Partial<Record<string, number>> = { AddScalar: 0, MulScalar: 1 };
const WASM_ACTIVATION_GRAD: Partial<Record<Activation, number>> = { relu: 0, relu6: 1 };

// Element-wise maps, each its own loop. `c` is the scalar of the scalar ops.
const maps: Record<string, Map1> = {
  Sigmoid(o, x) { for (let i = 0; i < x.length; i++) o[i] = 1 / (1 + Math.exp(-x[i]!)); },
  // relu6(x + 3) / 6, as PyTorch's hardsigmoid
  HardSigmoid(o, x) { for (let i = 0; i < x.length; i++) { const v = x[i]! + 3; o[i] = (v < 0 ? 0 : v > 6 ? 6 : v) / 6; } },
  HardSwish(o, x) { for (let i = 0; i < x.length; i++) { const u = x[i]!, v = u + 3; o[i] = (u * (v < 0 ? 0 : v > 6 ? 6 : v)) / 6; } },
  Exp(o, x) { for (let i = 0; i < x.length; i++) o[i] = Math.exp(x[i]!); },
  Log(o, x) { for (let i = 0; i < x.length; i++) o[i] = Math.log(x[i]!); },
  Neg(o, x) { for (let i = 0; i < x.length; i++) o[i] = -x[i]!; },
  Sqrt(o, x) { for (let i = 0; i < x.length; i++) o[i] = Math.sqrt(x[i]!); },
  PowScalar(o, x, c) { for (let i = 0; i < x.length; i++) o[i] = Math.pow(x[i]!, c); },
};

export function unaryKernel(op: string) {
  const map = maps[op], code = WASM_ACTIVATION[op], scalarCode = WASM_SCALAR[op];
  if (map === undefined && code === undefined && scalarCode === undefined) throw new Error(`unaryKernel: no map for ${op}`);
  return ({ inputs, attrs, backend }: KernelArgs<Partial<ScalarAttrs> | undefined, CpuBackend>): TensorInfo[] => {
    const x = inputs[0]!;
    if (x.dtype !== "float32") throw new OpError(op, "a float32 input", `${x.dtype} of shape ${fmtShape(x.shape)}`);
    // the size from the shape: reading x's values would wait for the kernel calls queued before (team.ts)
    const n = sizeOf(x.shape);
    if (code !== undefined) return [{ dataId: elementwise(backend, "activationTask", code, [x], n), shape: x.shape, dtype: "float32" }];
    if (scalarCode !== undefined) {
      return [{ dataId: elementwise(backend, "scalarTask", scalarCode, [x], n, f64Words(attrs?.value ?? 0)), shape: x.shape, dtype: "float32" }];
    }
    const out = backend.allocateUninit(n, "float32");
    map!(out.values as Float32Array, backend.f32(x.dataId), attrs?.value ?? 0);
    return [{ dataId: out, shape: x.shape, dtype: "float32" }];
  };
}

type Grad1 = (dx: Float32Array, dy: Float32Array, x: Float32Array) => void;

// dx = dy * f'(x), with x the activation's input (sigmoid takes its output y instead).
const grads: Partial<Record<Activation, Grad1>> = {
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
  const n = dy.shape.reduce((a, b) => a * b, 1);
  const code = WASM_ACTIVATION_GRAD[attrs.activation];
  if (code !== undefined) return [{ dataId: elementwise(backend, "activationGradTask", code, [dy, x], n), shape: x.shape, dtype: "float32" }];
  const out = backend.allocateUninit(n, "float32");
  grads[attrs.activation]!(out.values as Float32Array, backend.f32(dy.dataId), backend.f32(x.dataId));
  return [{ dataId: out, shape: x.shape, dtype: "float32" }];
}
