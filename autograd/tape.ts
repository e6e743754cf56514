import { engine, type Tensor } from "../engine/index.js";
import { setBackwardImpl } from "../engine/tensor.js";
import { getGradient } from "./gradient_registry.js";
import { reduceToShape } from "./reduce_to_shape.js";
import { ones } from "../engine/index.js";
import { add } from "./ops/arithmetic.js";

// Reverse-mode autograd. Each op run while gradients are enabled attaches a
// node to its result naming the kernel, the inputs and the kernel's outputs;
// backward() sorts that graph topologically and runs each node's registered
// gradient in reverse, summing gradients of tensors used more than once.

let gradEnabled = true;

export function isGradEnabled(): boolean {
  return gradEnabled;
}

/** Runs fn without recording anything for autograd. */
export function noGrad<T>(fn: () => T): T {
  const prev = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = prev;
  }
}

/** Attaches the graph node of a kernel run to its first output when any input requires grad. */
export function record<A>(kernel: string, inputs: readonly Tensor[], attrs: A, outputs: readonly Tensor[]): void {
  if (!gradEnabled || !inputs.some((t) => t.requiresGrad)) return;
  const gradFn = getGradient(kernel);
  const out = outputs[0]!;
  out.requiresGrad = true;
  out.node = { kernel, inputs, backward: (dy) => gradFn(dy, { inputs, outputs, attrs }) };
}

function topoOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const seen = new Set<Tensor>();
  // iterative DFS: deep nets would overflow the call stack with recursion
  const stack: [Tensor, boolean][] = [[root, false]];
  while (stack.length > 0) {
    const [t, expanded] = stack.pop()!;
    if (expanded) { order.push(t); continue; }
    if (seen.has(t)) continue;
    seen.add(t);
    stack.push([t, true]);
    for (const p of t.node?.inputs ?? []) if (p.requiresGrad && !seen.has(p)) stack.push([p, false]);
  }
  return order;
}

/**
 * Propagates `seed` (the gradient of `root`) back through the graph and
 * hands each leaf's total gradient to `onLeaf`. Intermediate gradients are
 * disposed as soon as they are consumed.
 */
function propagate(root: Tensor, seed: Tensor, onLeaf: (leaf: Tensor, g: Tensor) => void, retainGraph: boolean): void {
  const order = topoOrder(root);
  const grads = new Map<Tensor, Tensor>();
  const owned = new Set<Tensor>();
  // Gradients stored in the map are ours to dispose; a tensor handed on twice
  // (an op that passes dy through) is aliased so each entry owns its own handle.
  const store = (t: Tensor, g: Tensor) => {
    const mine = owned.has(g) ? engine.reshapeShared(g, g.shape) : g;
    const prev = grads.get(t);
    if (prev === undefined) {
      grads.set(t, mine);
      owned.add(mine);
    } else {
      const sum = add(prev, mine);
      prev.dispose();
      owned.delete(prev);
      mine.dispose();
      grads.set(t, sum);
      owned.add(sum);
    }
  };
  store(root, seed);
  noGrad(() => {
    for (let i = order.length - 1; i >= 0; i--) {
      const t = order[i]!;
      const g = grads.get(t);
      if (g === undefined) continue;
      grads.delete(t);
      const node = t.node;
      if (node === null) {
        owned.delete(g);
        onLeaf(t, g);
        continue;
      }
      const inGrads = engine.tidy(() => {
        const raw = node.backward(g);
        return node.inputs.map((x, k) => {
          const gi = raw[k];
          return gi && x.requiresGrad ? reduceToShape(gi, x.shape) : null;
        });
      });
      node.inputs.forEach((x, k) => { const gi = inGrads[k]; if (gi) store(x, gi); });
      owned.delete(g);
      g.dispose();
      if (!retainGraph) t.node = null;
    }
  });
}

export interface BackwardOptions {
  /** Keep the graph so backward can run through it again (PyTorch's retain_graph). */
  retainGraph?: boolean;
}

/** loss.backward(): accumulates d(root)/d(leaf) into `.grad` of every leaf that requires grad. */
export function backward(root: Tensor, dy?: Tensor, options: BackwardOptions = {}): void {
  if (!root.requiresGrad) throw new Error(`backward: tensor ${root.id} does not require grad (no input of its graph requires grad)`);
  if (dy === undefined && root.size !== 1) {
    throw new Error(`backward: a gradient is only implied for one-element tensors; pass dy for shape [${root.shape.join(", ")}]`);
  }
  const seed = dy === undefined ? ones(root.shape) : engine.reshapeShared(dy, dy.shape);
  propagate(root, seed, (leaf, g) => {
    if (leaf.grad === null) {
      leaf.grad = engine.keep(g);
    } else {
      const old = leaf.grad;
      leaf.grad = engine.keep(noGrad(() => add(old, g)));
      old.dispose();
      g.dispose();
    }
  }, options.retainGraph ?? false);
}

/**
 * Gradients of f() (a one-element tensor) with respect to xs, without
 * touching any `.grad`. The xs need not require grad beforehand.
 */
export function grad(f: () => Tensor, xs: readonly Tensor[]): Tensor[] {
  const prev = xs.map((x) => x.requiresGrad);
  xs.forEach((x) => { x.requiresGrad = true; });
  try {
    const y = f();
    if (y.size !== 1) throw new Error(`grad: f must return a one-element tensor, received shape [${y.shape.join(", ")}]`);
    const found = new Map<Tensor, Tensor>();
    if (y.requiresGrad) {
      propagate(y, ones(y.shape), (leaf, g) => {
        const prevG = found.get(leaf);
        if (prevG === undefined) {
          found.set(leaf, g);
        } else {
          found.set(leaf, add(prevG, g));
          prevG.dispose();
          g.dispose();
        }
      }, false);
    }
    return xs.map((x) => found.get(x) ?? engine.zeros(x.shape, x.dtype));
  } finally {
    xs.forEach((x, i) => { x.requiresGrad = prev[i]!; });
  }
}

setBackwardImpl((t, dy) => backward(t, dy));
