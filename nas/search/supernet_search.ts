import { Rng } from "../../engine/index.js";
import type { SearchSpace } from "../space.js";
import { mostAccurate, nsga2, type Individual, type Nsga2Result } from "./nsga2.js";
import { categoricalVariation } from "./operators.js";

/** What the search needs of an evaluator (the worker pool, or anything else). */
export interface PathEvaluator {
  evaluate(genes: readonly number[]): Promise<{ acc: number; lambda: number[]; params: number; macs: number; mflops: number }>;
}

export interface SupernetSearchOptions {
  populationSize: number;
  generations: number;
  evaluations: number;
  seed: number;
  /** Hard bound on MFLOPs (the space's NAS-Bench-201-convention FLOPs) or on parameters. */
  maxMflops?: number;
  maxParams?: number;
  onGeneration?: (g: { generation: number; bestAcc: number; frontSize: number; evaluations: number; evalsPerSecond: number }) => void;
}

export interface SearchedPath { arch: string; acc: number; macs: number; params: number; mflops: number; lambda: number[] }
export interface SupernetSearchResult {
  /** One row per function (isomorphic cells count once), by FLOPs. */
  front: SearchedPath[];
  best: SearchedPath;
  /** Every architecture evaluated, one per function. */
  evaluated: SearchedPath[];
  evaluations: number; generations: number; seconds: number;
  stopped: Nsga2Result<number[]>["stopped"];
}

/**
 * NSGA-II over a space with a supernet as evaluator: maximise validation
 * accuracy, minimise FLOPs (or params, when that is the bound), under a
 * hard bound by constraint-domination; the first generation is sampled
 * within the bound.
 */
export async function supernetSearch(space: SearchSpace, evaluator: PathEvaluator, o: SupernetSearchOptions): Promise<SupernetSearchResult> {
  const byParams = o.maxParams !== undefined && o.maxMflops === undefined;
  const withinBound = (g: number[]) => {
    const c = space.cost(g);
    return (o.maxMflops === undefined || c.nb201Mflops <= o.maxMflops) && (o.maxParams === undefined || c.params <= o.maxParams);
  };
  const details = new Map<string, SearchedPath>();
  const t0 = performance.now();
  const key = (g: number[]) => space.functionKey(g);
  const r = await nsga2({ ...categoricalVariation(space.genes.map((g) => g.choices.length)), key },
    async (gs) => Promise.all(gs.map(async (g) => {
      const e = await evaluator.evaluate(g);
      const arch = space.format(g);
      details.set(key(g), { arch, acc: e.acc, macs: e.macs, params: e.params, mflops: e.mflops, lambda: e.lambda });
      const over = Math.max(o.maxMflops === undefined ? 0 : (e.mflops - o.maxMflops) / o.maxMflops,
        o.maxParams === undefined ? 0 : (e.params - o.maxParams) / o.maxParams);
      return { objectives: [-e.acc, byParams ? e.params : e.mflops], violation: Math.max(0, over) };
    })),
    new Rng(o.seed),
    {
      populationSize: o.populationSize, generations: o.generations, maxEvaluations: o.evaluations, initialFilter: withinBound,
      distinct: space.distinctFunctions,
      onGeneration: ({ generation, population, evaluations }) => {
        const feasible = population.filter((p) => p.violation === 0);
        o.onGeneration?.({
          generation, evaluations,
          bestAcc: feasible.length > 0 ? -Math.min(...feasible.map((p) => p.objectives[0]!)) : NaN,
          frontSize: population.filter((p) => p.rank === 0).length,
          evalsPerSecond: evaluations / ((performance.now() - t0) / 1000),
        });
      },
    });
  // an architecture's row is that of the first of its function evaluated
  const toPath = (i: Individual<number[]> | { genes: number[] }) => details.get(key(i.genes))!;
  const feasible = r.evaluated.filter((e) => e.violation === 0);
  if (feasible.length === 0) throw new Error("search: no evaluated architecture satisfies the bound");
  const best = feasible.reduce(mostAccurate);
  // the final first front holds no infeasible row: a feasible genome, once evaluated, dominates every infeasible one;
  // nor two rows of one function: NSGA-II keeps one genome per key
  return {
    front: r.front.map(toPath).sort((a, b) => a.mflops - b.mflops),
    best: toPath(best), evaluated: r.evaluated.map(toPath),
    evaluations: r.evaluations, generations: r.generations, seconds: (performance.now() - t0) / 1000, stopped: r.stopped,
  };
}
