import type { Rng } from "../engine/index.js";
import type { Cost } from "./cost.js";

/** One categorical decision of a search space: an op choice per layer, or a width choice. */
export interface Gene {
  name: string;
  kind: "op" | "width";
  choices: readonly string[];
}

/**
 * A search space: a list of decisions, each architecture a vector of choice
 * indices (its genes), with a canonical string form, one-hot encodings for
 * the simplex-net's two branches, seeded uniform sampling and exact costs.
 */
export interface SearchSpace {
  readonly name: string;
  readonly genes: readonly Gene[];
  format(genes: readonly number[]): string;
  /** Parses the canonical string; a malformed one throws one line saying what was expected. */
  parse(s: string): number[];
  cost(genes: readonly number[]): Cost;
  /** Equal for architectures that compute the same function (NAS-Bench-201's isomorphic cells): a search evaluates each once. */
  functionKey(genes: readonly number[]): string;
  /** How many distinct functions the space holds: a search that has seen them all stops. */
  readonly distinctFunctions: number;
}

/** Uniform sample: each gene's choice drawn independently. */
export function sampleGenes(space: SearchSpace, rng: Rng): number[] {
  return space.genes.map((g) => rng.int(g.choices.length));
}

/**
 * `count` architectures drawn uniformly, one per function (`functionKey`),
 * none computing the same function as any of `exclude`, each passing
 * `accept` (a FLOPs bound, say). Fails, saying so, when fewer turn up within
 * 10,000 draws per architecture asked for.
 */
export function sampleFunctions(space: SearchSpace, count: number, rng: Rng,
  o: { exclude?: readonly (readonly number[])[]; accept?: (genes: number[]) => boolean; what?: string } = {}): number[][] {
  const seen = new Set((o.exclude ?? []).map((g) => space.functionKey(g)));
  const out: number[][] = [];
  for (let tries = 0; out.length < count; tries++) {
    if (tries > 10_000 * count) throw new Error(`sampling: fewer than ${count} distinct ${o.what ?? "architectures"} turned up in ${tries} draws`);
    const g = sampleGenes(space, rng);
    const key = space.functionKey(g);
    if (seen.has(key) || (o.accept !== undefined && !o.accept(g))) continue;
    seen.add(key);
    out.push(g);
  }
  return out;
}

/** Concatenated one-hot vectors of the genes of one kind (the simplex-net's architecture or channel input). */
export function oneHot(space: SearchSpace, genes: readonly number[], kind: Gene["kind"]): Float32Array {
  const sel = space.genes.map((g, i) => [g, genes[i]!] as const).filter(([g]) => g.kind === kind);
  const out = new Float32Array(sel.reduce((s, [g]) => s + g.choices.length, 0));
  let at = 0;
  for (const [g, v] of sel) {
    out[at + v] = 1;
    at += g.choices.length;
  }
  return out;
}

export function oneHotSize(space: SearchSpace, kind: Gene["kind"]): number {
  return space.genes.filter((g) => g.kind === kind).reduce((s, g) => s + g.choices.length, 0);
}

/**
 * What a FLOPs bound leaves of a small space, by enumerating it: the cheapest
 * architecture's MFLOPs and how many distinct functions lie within the bound.
 * A search checks its bound with this before training anything.
 */
export function withinBound(space: SearchSpace, maxMflops: number): { cheapestMflops: number; functions: number } {
  const sizes = space.genes.map((g) => g.choices.length);
  const total = sizes.reduce((a, b) => a * b, 1);
  if (total > 1e6) throw new Error(`withinBound: ${total} architectures are too many to enumerate`);
  let cheapestMflops = Infinity;
  const keys = new Set<string>();
  const genes = new Array<number>(sizes.length).fill(0);
  for (let i = 0; i < total; i++) {
    for (let k = 0, rest = i; k < sizes.length; k++) { genes[k] = rest % sizes[k]!; rest = Math.floor(rest / sizes[k]!); }
    const mflops = space.cost(genes).nb201Mflops;
    cheapestMflops = Math.min(cheapestMflops, mflops);
    if (mflops <= maxMflops) keys.add(space.functionKey(genes));
  }
  return { cheapestMflops, functions: keys.size };
}
