import { OpError, engine, type Tensor } from "../../engine/index.js";
import { assign } from "../ops/shape.js";

/**
 * A network component with named parameters (trained), buffers (state such
 * as running statistics) and child modules, named as PyTorch names them
 * (`cells.0.edges.1.op.1.weight`), so state dicts line up with PyTorch's.
 */
export abstract class Module {
  training = true;
  private readonly params = new Map<string, Tensor>();
  private readonly buffers = new Map<string, Tensor>();
  private readonly children = new Map<string, Module>();

  abstract forward(x: Tensor): Tensor;

  protected registerParameter(name: string, t: Tensor): Tensor {
    t.requiresGrad = true;
    this.params.set(name, engine.keep(t));
    return t;
  }

  protected registerBuffer(name: string, t: Tensor): Tensor {
    this.buffers.set(name, engine.keep(t));
    return t;
  }

  protected registerModule<M extends Module>(name: string, m: M): M {
    this.children.set(name, m);
    return m;
  }

  namedChildren(): [string, Module][] {
    return [...this.children];
  }

  namedParameters(prefix = ""): [string, Tensor][] {
    const own: [string, Tensor][] = [...this.params].map(([n, t]) => [prefix + n, t]);
    return own.concat(...[...this.children].map(([n, m]) => m.namedParameters(`${prefix}${n}.`)));
  }

  namedBuffers(prefix = ""): [string, Tensor][] {
    const own: [string, Tensor][] = [...this.buffers].map(([n, t]) => [prefix + n, t]);
    return own.concat(...[...this.children].map(([n, m]) => m.namedBuffers(`${prefix}${n}.`)));
  }

  parameters(): Tensor[] {
    return this.namedParameters().map(([, t]) => t);
  }

  /** Every module of the tree, this one first. */
  modules(): Module[] {
    return [this as Module].concat(...[...this.children.values()].map((m) => m.modules()));
  }

  train(on = true): this {
    for (const m of this.modules()) m.training = on;
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /** Parameters then buffers, by name (the tensors themselves, not copies). */
  stateDict(): Map<string, Tensor> {
    return new Map([...this.namedParameters(), ...this.namedBuffers()]);
  }

  /**
   * Copies values into this module's tensors in place. Names, shapes and
   * dtypes must match exactly; the first mismatch is the error.
   */
  loadStateDict(state: ReadonlyMap<string, Tensor>): void {
    const own = this.stateDict();
    for (const [name, t] of own) {
      const v = state.get(name);
      if (v === undefined) throw new Error(`loadStateDict: missing tensor '${name}'`);
      if (v.dtype !== t.dtype || v.shape.join() !== t.shape.join()) {
        throw new OpError("loadStateDict", `'${name}' as ${t.dtype} [${t.shape.join(", ")}]`, `${v.dtype} [${v.shape.join(", ")}]`);
      }
    }
    for (const name of state.keys()) if (!own.has(name)) throw new Error(`loadStateDict: unexpected tensor '${name}'`);
    for (const [name, t] of own) assign(t, state.get(name)!);
  }

  numParameters(): number {
    return this.parameters().reduce((s, t) => s + t.size, 0);
  }

  /** Frees every parameter and buffer (and their gradients). */
  dispose(): void {
    for (const t of [...this.parameters(), ...this.namedBuffers().map(([, b]) => b)]) {
      t.grad?.dispose();
      t.dispose();
    }
  }
}
