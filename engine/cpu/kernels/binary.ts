import type { TensorInfo } from "../../backend.js";
import { OpError } from "../../errors.js";
import type { KernelArgs } from "../../kernel_registry.js";
import { broadcastShapes, broadcastStrides, shapesEqual, sizeOf, stridesOf } from "../../shape.js";
import type { CpuBackend } from "../backend_cpu.js";
import { walkRows } from "./strided.js";
import { elementwise } from "./elementwise_wasm.js";

type Row = (out: Float32Array, o: number, a: Float32Array, ai: number, sa: number, b: Float32Array, bi: number, sb: number, n: number) => void;

// Same-shape operands (the common case) run as WebAssembly SIMD; the op codes of binaryTask.
const WASM_OP = { Add: 0, Sub: 1, Mul: 2, Div: 3 } as const;

// One monomorphic row loop per op; broadcasting is strides (0 on broadcast axes).
const rows: Record<string, Row> = {
  Add(out, o, a, ai, sa, b, bi, sb, n) { for (let i = 0; i < n; i++) out[o + i] = a[ai + i * sa]! + b[bi + i * sb]!; },
  Sub(out, o, a, ai, sa, b, bi, sb, n) { for (let i = 0; i < n; i++) out[o + i] = a[ai + i * sa]! - b[bi + i * sb]!; },
  Mul(out, o, a, ai, sa, b, bi, sb, n) { for (let i = 0; i < n; i++) out[o + i] = a[ai + i * sa]! * b[bi + i * sb]!; },
  Div(out, o, a, ai, sa, b, bi, sb, n) { for (let i = 0; i < n; i++) out[o + i] = a[ai + i * sa]! / b[bi + i * sb]!; },
};

export function binaryKernel(op: "Add" | "Sub" | "Mul" | "Div") {
  const row = rows[op]!;
  return ({ inputs, backend }: KernelArgs<unknown, CpuBackend>): TensorInfo[] => {
    const [a, b] = inputs as [TensorInfo, TensorInfo];
    if (a.dtype !== "float32" || b.dtype !== "float32") throw new OpError(op, "float32 operands", `${a.dtype} and ${b.dtype}`);
    const shape = broadcastShapes(op, a.shape, b.shape);
    if (shapesEqual(a.shape, b.shape)) {
      return [{ dataId: elementwise(backend, "binaryTask", WASM_OP[op], [a, b], sizeOf(shape)), shape, dtype: "float32" }];
    }
    const outId = backend.allocateUninit(sizeOf(shape), "float32");
    const out = outId.values as Float32Array, av = backend.f32(a.dataId), bv = backend.f32(b.dataId);
    walkRows(shape, stridesOf(shape), broadcastStrides(a.shape, shape), broadcastStrides(b.shape, shape),
      (o, ai, bi, n, _so, sa, sb) => row(out, o, av, ai, sa, bv, bi, sb, n));
    return [{ dataId: outId, shape, dtype: "float32" }];
  };
}
