import type { TensorInfo } from "../../backend.js";
import { OpError, fmtShape } from "../../errors.js";
import type { Activation, ActivationGradAttrs, ScalarAttrs } from "../../kernel_names.js";
import type { KernelArgs } from "../../kernel_registry.js";
import { broadcastShapes, broadcastStrides, shapesEqual, sizeOf } from "../../shape.js";
import type { GpuData, WebGpuBackend } from "../backend_webgpu.js";
import { PRELUDE, checkFloat, checkRank, f32Bits, groupsFor, padded, perElement, storage } from "../wgsl.js";

// Element-wise maps: one thread per output element. `c` is the scalar of the scalar ops.
const UNARY: Record<string, string> = {
  Relu: "max(x, 0.0)",
  Relu6: "clamp(x, 0.0, 6.0)",
  Sigmoid: "1.0 / (1.0 + exp(-x))",
  HardSigmoid: "clamp(x + 3.0, 0.0, 6.0) / 6.0",
  HardSwish: "x * clamp(x + 3.0, 0.0, 6.0) / 6.0",
  Exp: "exp(x)",
  Log: "log(x)",
  Neg: "-x",
  Sqrt: "sqrt(x)",
  AddScalar: "x + c",
  MulScalar: "x * c",
  PowScalar: "powScalar(x, c)",
};

// WGSL's pow is undefined for x < 0; this follows Math.pow for integer exponents.
const POW = /* wgsl */ `
fn powScalar(x: f32, c: f32) -> f32 {
  if (c == 0.0) { return 1.0; }
  if (c == 1.0) { return x; }
  if (c == 2.0) { return x * x; }
  let r = pow(abs(x), c);
  if (x >= 0.0) { return r; }
  if (round(c) != c) { return nan(); }
  if (fract(c * 0.5) != 0.0) { return -r; }
  return r;
}`;

const mapProgram = (name: string, expr: string, inputs: string[]) => ({
  key: `map:${name}`,
  code: () => `${PRELUDE}${name === "PowScalar" ? POW : ""}
${inputs.map((v, i) => storage(i + 1, `in${i}`, "f32")).join("\n")}
${storage(inputs.length + 1, "out", "f32", true)}
${perElement()}
  let c = PF(1u);
  ${inputs.map((v, k) => `let ${v} = in${k}[i];`).join(" ")}
  out[i] = ${expr};
}`,
});

function map(backend: WebGpuBackend, name: string, expr: string, vars: string[], inputs: readonly TensorInfo[], scalar = 0): TensorInfo[] {
  const x = inputs[0]!;
  const n = sizeOf(x.shape);
  const out = backend.output(n, "float32");
  backend.dispatch(mapProgram(name, expr, vars), [...inputs.map((t) => t.dataId as GpuData), out], [n, f32Bits(scalar)], groupsFor(n));
  return [{ dataId: out, shape: x.shape, dtype: "float32" }];
}

export function unaryKernel(op: string) {
  const expr = UNARY[op];
  if (expr === undefined) throw new Error(`webgpu unaryKernel: no map for ${op}`);
  return ({ inputs, attrs, backend }: KernelArgs<Partial<ScalarAttrs> | undefined, WebGpuBackend>): TensorInfo[] => {
    const x = inputs[0]!;
    if (x.dtype !== "float32") throw new OpError(op, "a float32 input", `${x.dtype} of shape ${fmtShape(x.shape)}`);
    return map(backend, op, expr, ["x"], [x], attrs?.value ?? 0);
  };
}

// dx = dy * f'(x), with x the activation's input (sigmoid takes its output instead).
const GRADS: Record<Activation, string> = {
  relu: "select(0.0, dy, x > 0.0)",
  relu6: "select(0.0, dy, x > 0.0 && x < 6.0)",
  sigmoid: "dy * x * (1.0 - x)",
  hardSigmoid: "select(0.0, dy / 6.0, x > -3.0 && x < 3.0)",
  hardSwish: "select(select(dy * (2.0 * x + 3.0) / 6.0, dy, x > 3.0), 0.0, x < -3.0)",
};

export function activationGradKernel({ inputs, attrs, backend }: KernelArgs<ActivationGradAttrs, WebGpuBackend>): TensorInfo[] {
  const [dy, x] = inputs as [TensorInfo, TensorInfo];
  if (!shapesEqual(dy.shape, x.shape)) throw new OpError("ActivationGrad", `dy of shape ${fmtShape(x.shape)}`, fmtShape(dy.shape));
  return map(backend, `grad_${attrs.activation}`, GRADS[attrs.activation], ["dy", "x"], [dy, x]);
}

const OPS = { Add: "+", Sub: "-", Mul: "*", Div: "/" } as const;

/** Broadcast operands: the output index is decoded into coordinates and each operand's strides applied (0 on broadcast axes). */
const broadcastProgram = (op: keyof typeof OPS) => ({
  key: `binary:${op}`,
  code: () => `${PRELUDE}
${storage(1, "a", "f32")}
${storage(2, "b", "f32")}
${storage(3, "out", "f32", true)}
${perElement()}
  let at = stridedOffsets(i, P(1u), 2u, 8u, 14u);
  out[i] = a[at.x] ${OPS[op]} b[at.y];
}`,
});

export function binaryKernel(op: keyof typeof OPS) {
  return ({ inputs, backend }: KernelArgs<unknown, WebGpuBackend>): TensorInfo[] => {
    const [a, b] = inputs as [TensorInfo, TensorInfo];
    checkFloat(op, a.dtype, b.dtype);
    const shape = broadcastShapes(op, a.shape, b.shape);
    if (shapesEqual(a.shape, b.shape)) return map(backend, op, `a ${OPS[op]} b`, ["a", "b"], [a, b]);
    checkRank(op, shape);
    const n = sizeOf(shape);
    const out = backend.output(n, "float32");
    const uniforms = [n, shape.length, ...padded(shape, 1), ...padded(broadcastStrides(a.shape, shape)), ...padded(broadcastStrides(b.shape, shape))];
    backend.dispatch(broadcastProgram(op), [a.dataId as GpuData, b.dataId as GpuData, out], uniforms, groupsFor(n));
    return [{ dataId: out, shape, dtype: "float32" }];
  };
}
