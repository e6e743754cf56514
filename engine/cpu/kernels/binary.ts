import type { TensorInfo } from "../../backend.js";
import { OpError } from "../../errors.js";
import type { KernelArgs } from "../../kernel_registry.js";
import { broadcastShapes, broadcastStrides, shapesEqual, sizeOf, stridesOf } from "../../shape.js";
import type { CpuBackend } from "../backend_cpu.js";
import { walkRows } from "./strided.js";

type Row = (out: Float32Array, o: number, a: Float32Array, ai: number, sa: number, b: Float32Array, bi: number, sb: number, n: number) => void;
type Dense = (out: Float32Array, a: Float32Array, b: Float32Array) => void;

// Same-shape operands (the common case): plain loops with no stride arithmetic.
const dense: Record<string, Dense> = {
  Add(out, a, b) { for (let i = 0; i < out.length; i++) out[i] = a[i]! + b[i]!; },
  Sub(out, a, b) { for (let i = 0; i < out.length; i++) out[i] = a[i]! - b[i]!; },
  Mul(out, a, b) { for (let i = 0; i < out.length; i++) out[i] = a[i]! * b[i]!; },
  Div(out, a, b) { for (let i = 0; i < out.length; i++) out[i] = a[i]! / b[i]!; },
};

// One monomorphic row loop per op; broadcasting is strides (0 on broadcast axes).
const rows: Record<string, Row> = {
  Add(out, o, a, ai, sa, b, bi, sb, n) { for (let i = 0; i < n; i++) out[o + i] = a[ai + i * sa]! + b[bi + i * sb]!; },
  Sub(out, o, a, ai, sa, b, bi, sb, n) { for (let i = 0; i < n; i++) out[o + i] = a[ai + i * sa]! - b[bi + i * sb]!; },
  Mul(out, o, a, ai, sa, b, bi, sb, n) { for (let i = 0; i < n; i++) out[o + i] = a[ai + i * sa]! * b[bi + i * sb]!; },
  Div(out, o, a, ai, sa, b, bi, sb, n) { for (let i = 0; i < n; i++) out[o + i] = a[ai + i * sa]! / b[bi + i * sb]!; },
};

export function binaryKernel(op: "Add" | "Sub" | "Mul" | "Div") {
  const row = rows[op]!, same = dense[op]!;
  return ({ inputs, backend }: KernelArgs<unknown, CpuBackend>): TensorInfo[] => {
    const [a, b] = inputs as [TensorInfo, TensorInfo];
    if (a.dtype !== "float32" || b.dtype !== "float32") throw new OpError(op, "float32 operands", `${a.dtype} and ${b.dtype}`);
    const shape = broadcastShapes(op, a.shape, b.shape);
    const outId = backend.allocate(sizeOf(shape), "float32");
    const out = backend.f32(outId), av = backend.f32(a.dataId), bv = backend.f32(b.dataId);
    if (shapesEqual(a.shape, b.shape)) {
      same(out, av, bv);
    } else {
      walkRows(shape, stridesOf(shape), broadcastStrides(a.shape, shape), broadcastStrides(b.shape, shape),
        (o, ai, bi, n, _so, sa, sb) => row(out, o, av, ai, sa, bv, bi, sb, n));
    }
    return [{ dataId: outId, shape, dtype: "float32" }];
  };
}
