import type { Rng } from "../../engine/index.js";
import { crowdingDistance, nonDominatedSort, type Scored } from "./pareto.js";

/** How a genome is made, varied and told apart; the problem's evaluation is separate. */
export interface Variation<G> {
  sample(rng: Rng): G;
  crossover(a: G, b: G, rng: Rng): [G, G];
  mutate(g: G, rng: Rng): G;
  /** Identity for the evaluation cache: genomes with one key are evaluated once. */
  key(g: G): string;
}

export interface Individual<G> extends Scored { genes: G; rank: number; crowding: number }

export interface Nsga2Options<G> {
  populationSize: number;
  /** Stop after this many generations of offspring... */
  generations: number;
  /** ...or once this many distinct genomes have been evaluated (cache hits are free)... */
  maxEvaluations?: number;
  /** ...or once every one of this many distinct keys has been evaluated (the space is exhausted)... */
  distinct?: number;
  /** ...or after this many generations in a row without a new genome (default 1000). */
  stallGenerations?: number;
  /** Genomes the first generation may contain (sampling retries until one passes; e.g. within a FLOPs bound). */
  initialFilter?: (g: G) => boolean;
  onGeneration?: (g: { generation: number; population: readonly Individual<G>[]; evaluations: number }) => void;
}

export interface Nsga2Result<G> {
  population: Individual<G>[];
  /** The final population's first front. */
  front: Individual<G>[];
  /** Every distinct genome evaluated, with its scores (the run's archive). */
  evaluated: (Scored & { genes: G })[];
  evaluations: number;
  generations: number;
  /** Which bound ended the search. */
  stopped: "generations" | "evaluations" | "exhausted" | "stalled";
}

/**
 * NSGA-II (Deb et al. 2002) over any genome: binary tournaments on (rank,
 * crowding), crossover and mutation, then elitist survival of parents and
 * offspring by non-dominated fronts and crowding distance. `evaluate` maps
 * genomes to minimised objectives and a constraint violation; results are
 * cached by key. Deterministic for a given rng state.
 */
export async function nsga2<G>(
  variation: Variation<G>,
  evaluate: (batch: G[]) => Promise<Scored[]> | Scored[],
  rng: Rng,
  o: Nsga2Options<G>,
): Promise<Nsga2Result<G>> {
  const cache = new Map<string, Scored & { genes: G }>();
  const score = async (genomes: G[]): Promise<Individual<G>[]> => {
    const fresh: G[] = [];
    const seen = new Set<string>();
    for (const g of genomes) {
      const k = variation.key(g);
      if (!cache.has(k) && !seen.has(k)) { seen.add(k); fresh.push(g); }
    }
    const results = fresh.length > 0 ? await evaluate(fresh) : [];
    fresh.forEach((g, i) => cache.set(variation.key(g), { ...results[i]!, genes: g }));
    return genomes.map((g) => ({ ...cache.get(variation.key(g))!, genes: g, rank: 0, crowding: 0 }));
  };
  const budgetLeft = () => (o.maxEvaluations === undefined ? Infinity : o.maxEvaluations - cache.size);
  // A population larger than the evaluation budget or the space could never
  // be evaluated within them: it shrinks to fit, so the budget is hard from
  // the first generation and an oversized population cannot stall the loops.
  const size = Math.max(1, Math.min(o.populationSize, o.maxEvaluations ?? Infinity, o.distinct ?? Infinity));

  // the first generation: distinct genomes (by key), as every later one
  const initial: G[] = [];
  const drawn = new Set<string>();
  for (let tries = 0; initial.length < size; tries++) {
    if (tries > 1000 * size) {
      throw new Error(`nsga2: could not sample ${size} distinct genomes that pass the filter in ${tries} tries (is the bound satisfiable, the space larger than the population?)`);
    }
    const g = variation.sample(rng);
    const k = variation.key(g);
    if (drawn.has(k) || (o.initialFilter && !o.initialFilter(g))) continue;
    drawn.add(k);
    initial.push(g);
  }
  let population = rankAndCrowd(await score(initial));
  o.onGeneration?.({ generation: 0, population, evaluations: cache.size });
  let generation = 0, stall = 0;
  const stopReason = (): Nsga2Result<G>["stopped"] | null => {
    if (budgetLeft() <= 0) return "evaluations";
    if (cache.size >= (o.distinct ?? Infinity)) return "exhausted";
    if (stall >= (o.stallGenerations ?? 1000)) return "stalled";
    return generation >= o.generations ? "generations" : null;
  };
  while (stopReason() === null) {
    const offspring: G[] = [];
    while (offspring.length < size) {
      const [c1, c2] = variation.crossover(tournament(population, rng).genes, tournament(population, rng).genes, rng);
      offspring.push(variation.mutate(c1, rng));
      if (offspring.length < size) offspring.push(variation.mutate(c2, rng));
    }
    // duplicates of the population or of each other are dropped (they cost
    // diversity, as in pymoo); with a budget, only as many new genomes as it
    // allows are evaluated
    const present = new Set(population.map((p) => variation.key(p.genes)));
    const allowed: G[] = [];
    let fresh = 0;
    for (const g of offspring) {
      const k = variation.key(g);
      if (present.has(k)) continue;
      const isNew = !cache.has(k);
      if (isNew && fresh >= budgetLeft()) continue;
      if (isNew) fresh++;
      present.add(k);
      allowed.push(g);
    }
    const before = cache.size;
    population = survive([...population, ...(await score(allowed))], size);
    stall = cache.size > before ? 0 : stall + 1;
    generation++;
    o.onGeneration?.({ generation, population, evaluations: cache.size });
  }
  const fronts = nonDominatedSort(population);
  return {
    population, front: (fronts[0] ?? []).map((i) => population[i]!), evaluated: [...cache.values()], evaluations: cache.size,
    generations: generation, stopped: stopReason()!,
  };
}

export function rankAndCrowd<G>(pop: Individual<G>[]): Individual<G>[] {
  nonDominatedSort(pop).forEach((front, rank) => {
    const d = crowdingDistance(pop, front);
    front.forEach((i, k) => { pop[i]!.rank = rank; pop[i]!.crowding = d[k]!; });
  });
  return pop;
}

/** Elitist survival: whole fronts while they fit, then the most isolated of the next. */
export function survive<G>(merged: Individual<G>[], size: number): Individual<G>[] {
  const next: Individual<G>[] = [];
  for (const [rank, front] of nonDominatedSort(merged).entries()) {
    const d = crowdingDistance(merged, front);
    const members = front.map((i, k) => ({ ...merged[i]!, rank, crowding: d[k]! }));
    if (next.length + members.length <= size) { next.push(...members); continue; }
    members.sort((a, b) => b.crowding - a.crowding);
    next.push(...members.slice(0, size - next.length));
    break;
  }
  return next;
}

/** Binary tournament: lower rank wins, then larger crowding distance, then a coin. */
export function tournament<G>(pop: readonly Individual<G>[], rng: Rng): Individual<G> {
  const a = pop[rng.int(pop.length)]!, b = pop[rng.int(pop.length)]!;
  if (a.rank !== b.rank) return a.rank < b.rank ? a : b;
  if (a.crowding !== b.crowding) return a.crowding > b.crowding ? a : b;
  return rng.uniform() < 0.5 ? a : b;
}

/** For reduce over (-accuracy, cost) objectives: the more accurate, then the cheaper, then the earlier; so the choice lies on the front. */
export function mostAccurate<T extends Scored>(b: T, e: T): T {
  const [ea, ec] = e.objectives as [number, number], [ba, bc] = b.objectives as [number, number];
  return ea < ba || (ea === ba && ec < bc) ? e : b;
}
