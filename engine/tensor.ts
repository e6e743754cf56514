import type { DataId } from "./backend.js";
import type { DType, TypedArray } from "./dtype.js";
import { sizeOf, stridesOf } from "./shape.js";
import { engine } from "./engine.js";

/**
 * A recorded op on the autograd graph: the tensors it read and a closure
 * that maps the gradient of its output to gradients of those inputs (null
 * where an input needs none). Built by autograd; the engine only stores it.
 */
export interface GradNode {
  readonly kernel: string;
  readonly inputs: readonly Tensor[];
  backward(dy: Tensor): (Tensor | null)[];
}

type BackwardImpl = (t: Tensor, dy?: Tensor) => void;
let backwardImpl: BackwardImpl | null = null;

/** Autograd installs reverse-mode differentiation here, so the engine does not depend on it. */
export function setBackwardImpl(fn: BackwardImpl): void {
  backwardImpl = fn;
}

let nextId = 0;

/**
 * An n-dimensional array, row-major and contiguous, whose storage belongs to
 * a backend. Free it with `dispose()` or create it inside `tidy()`.
 */
export class Tensor {
  readonly id = nextId++;
  readonly shape: readonly number[];
  readonly size: number;
  /** Set on leaves (parameters) that should receive `.grad`, and on every result computed from them. */
  requiresGrad = false;
  grad: Tensor | null = null;
  node: GradNode | null = null;
  isDisposed = false;

  constructor(
    shape: readonly number[],
    readonly dtype: DType,
    readonly dataId: DataId,
    readonly backendName: string,
  ) {
    this.shape = Object.freeze([...shape]);
    this.size = sizeOf(shape);
  }

  get rank(): number {
    return this.shape.length;
  }

  /** Row-major strides in elements (tensors are always contiguous). */
  get strides(): number[] {
    return stridesOf(this.shape);
  }

  /** A copy of the values, on any backend. */
  async data(): Promise<TypedArray> {
    this.throwIfDisposed("data");
    return engine.read(this);
  }

  /** A copy of the values; only backends that can answer at once (the CPU) support it. */
  dataSync(): TypedArray {
    this.throwIfDisposed("dataSync");
    return engine.readSync(this);
  }

  /** The single value of a one-element tensor. */
  item(): number {
    if (this.size !== 1) throw new Error(`item: expected a tensor of one element, received shape [${this.shape.join(", ")}]`);
    return this.dataSync()[0]!;
  }

  /** Reverse-mode differentiation from this tensor; leaves that require grad accumulate into `.grad`. */
  backward(dy?: Tensor): void {
    if (backwardImpl === null) throw new Error("backward: autograd is not loaded (import kshot's autograd module)");
    backwardImpl(this, dy);
  }

  dispose(): void {
    if (this.isDisposed) return;
    engine.disposeTensor(this);
  }

  throwIfDisposed(op: string): void {
    if (this.isDisposed) throw new Error(`${op}: tensor ${this.id} of shape [${this.shape.join(", ")}] was already disposed`);
  }

  toString(): string {
    return `Tensor(id=${this.id}, shape=[${this.shape.join(", ")}], dtype=${this.dtype}, backend=${this.backendName})`;
  }
}
