import type { Backend, DataId, MemoryStats, TensorInfo } from "./backend.js";
import { dtypeOfArray, type DType, type TypedArray } from "./dtype.js";
import { OpError } from "./errors.js";
import { getKernel, hasKernel } from "./kernel_registry.js";
import { Tensor } from "./tensor.js";

export interface EngineMemory extends MemoryStats {
  /** Tensors created and not yet disposed. */
  tensors: number;
}

/** Anything tidy() may return: the tensors inside are kept, the rest disposed. */
export type TensorContainer = void | Tensor | string | number | boolean | null | undefined
  | TensorContainer[] | { [key: string]: TensorContainer };

/**
 * Owns the backends, runs kernels, and tracks tensor lifetimes: a reference
 * count per storage (reshape shares storage) and a stack of tidy() scopes.
 */
export class Engine {
  private backends = new Map<string, Backend>();
  private active: Backend | null = null;
  private refCounts = new WeakMap<DataId, number>();
  private scopes: Set<Tensor>[] = [];
  private liveTensors = 0;

  registerBackend(backend: Backend): void {
    this.backends.set(backend.name, backend);
    if (this.active === null) this.active = backend;
  }

  setBackend(name: string): void {
    const b = this.backends.get(name);
    if (b === undefined) throw new Error(`setBackend: unknown backend '${name}' (registered: ${[...this.backends.keys()].join(", ")})`);
    this.active = b;
  }

  get backend(): Backend {
    if (this.active === null) throw new Error("engine: no backend registered (import kshot's engine module)");
    return this.active;
  }

  findBackend(name: string): Backend {
    const b = this.backends.get(name);
    if (b === undefined) throw new Error(`engine: unknown backend '${name}'`);
    return b;
  }

  /** Wraps storage (already counted for nothing) as a tensor tracked by the current scope. */
  makeTensor(info: TensorInfo, backendName = this.backend.name): Tensor {
    const t = new Tensor(info.shape, info.dtype, info.dataId, backendName);
    this.refCounts.set(info.dataId, (this.refCounts.get(info.dataId) ?? 0) + 1);
    this.liveTensors++;
    this.scopes[this.scopes.length - 1]?.add(t);
    return t;
  }

  fromValues(values: TypedArray, shape: readonly number[]): Tensor {
    return this.makeTensor({ dataId: this.backend.write(values), shape, dtype: dtypeOfArray(values) });
  }

  zeros(shape: readonly number[], dtype: DType): Tensor {
    let size = 1;
    for (const d of shape) size *= d;
    return this.makeTensor({ dataId: this.backend.allocate(size, dtype), shape, dtype });
  }

  /** Runs a kernel of the active backend on tensors and wraps its outputs. */
  runKernel<A>(kernel: string, inputs: readonly Tensor[], attrs: A): Tensor[] {
    const backend = this.backend;
    const fn = backend.fallback !== undefined && !hasKernel(kernel, backend.name)
      ? ({ inputs: infos, attrs: a }: { inputs: readonly TensorInfo[]; attrs: A }) => backend.fallback!(kernel, infos, a)
      : getKernel(kernel, backend.name);
    for (const t of inputs) {
      if (t.isDisposed) throw new OpError(kernel, "live input tensors", `disposed tensor ${t.id} of shape [${t.shape.join(", ")}]`);
      if (t.backendName !== backend.name) {
        throw new OpError(kernel, `inputs on backend '${backend.name}'`, `tensor ${t.id} on '${t.backendName}'`);
      }
    }
    const outs = fn({ inputs, attrs, backend });
    return outs.map((info) => this.makeTensor(info, backend.name));
  }

  /** A new tensor sharing `t`'s storage under another shape of the same size. */
  reshapeShared(t: Tensor, shape: readonly number[]): Tensor {
    return this.makeTensor({ dataId: t.dataId, shape, dtype: t.dtype }, t.backendName);
  }

  read(t: Tensor): Promise<TypedArray> {
    return this.findBackend(t.backendName).read(t.dataId);
  }

  readSync(t: Tensor): TypedArray {
    return this.findBackend(t.backendName).readSync(t.dataId);
  }

  disposeTensor(t: Tensor): void {
    if (t.isDisposed) return;
    t.isDisposed = true;
    this.liveTensors--;
    for (const s of this.scopes) s.delete(t);
    const n = (this.refCounts.get(t.dataId) ?? 1) - 1;
    if (n <= 0) {
      this.refCounts.delete(t.dataId);
      this.findBackend(t.backendName).release(t.dataId);
    } else {
      this.refCounts.set(t.dataId, n);
    }
  }

  /**
   * Runs fn and disposes every tensor it created except those it returns
   * (which move to the enclosing scope) and those passed to keep().
   */
  tidy<T extends TensorContainer>(fn: () => T): T {
    const scope = new Set<Tensor>();
    this.scopes.push(scope);
    let result: T;
    try {
      result = fn();
    } finally {
      this.scopes.pop();
    }
    const returned = new Set<Tensor>();
    collectTensors(result, returned);
    for (const t of scope) {
      if (!returned.has(t)) this.disposeTensor(t);
    }
    const parent = this.scopes[this.scopes.length - 1];
    if (parent !== undefined) for (const t of returned) if (scope.has(t)) parent.add(t);
    return result;
  }

  /** Exempts a tensor from every enclosing tidy() scope. */
  keep<T extends Tensor>(t: T): T {
    for (const s of this.scopes) s.delete(t);
    return t;
  }

  memory(): EngineMemory {
    return { tensors: this.liveTensors, ...this.backend.memory() };
  }
}

function collectTensors(x: TensorContainer, out: Set<Tensor>): void {
  if (x instanceof Tensor) out.add(x);
  else if (Array.isArray(x)) for (const y of x) collectTensors(y, out);
  else if (x !== null && typeof x === "object") for (const y of Object.values(x)) collectTensors(y, out);
}

export const engine = new Engine();

export const tidy = <T extends TensorContainer>(fn: () => T): T => engine.tidy(fn);
export const keep = <T extends Tensor>(t: T): T => engine.keep(t);
export const memory = (): EngineMemory => engine.memory();
export const setBackend = (name: string): void => engine.setBackend(name);
