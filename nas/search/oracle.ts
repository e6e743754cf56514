import { Rng } from "../../engine/index.js";
import { numericColumn, readCsv } from "../../data/csv.js";
import { Nb201Space } from "../nb201/space.js";
import { mostAccurate, nsga2, type Nsga2Result } from "./nsga2.js";
import { categoricalVariation } from "./operators.js";

/**
 * A NAS-Bench-201 table as the evaluator: accuracy looked up by architecture
 * string, so the search is tested apart from any supernet. Isomorphic cells
 * (one function, see nb201Isomorphism) share one evaluation.
 */
export interface Oracle {
  accuracy: Map<string, number>;
}

export function loadOracle(path: string, column: string): Oracle {
  return { accuracy: numericColumn(readCsv(path), "arch", column) };
}

export interface OracleSearchOptions { evaluations: number; populationSize: number; seed: number; maxMflops?: number }
export interface OracleSearchResult {
  bestArch: string; bestAcc: number; evaluations: number;
  /** One row per function, by FLOPs. */
  front: { arch: string; acc: number; mflops: number }[];
  stopped: Nsga2Result<number[]>["stopped"] | "random";
}

/** The CIFAR-10 NAS-Bench-201 network (C=16, N=5, 3x32x32): FLOPs of the objectives and the bound. */
const cifarSpace = new Nb201Space({ C: 16, N: 5, inChannels: 3, classes: 10, height: 32, width: 32 });

function lookup(oracle: Oracle, arch: string): number {
  const acc = oracle.accuracy.get(arch);
  if (acc === undefined) throw new Error(`oracle: architecture ${arch} is not in the table`);
  return acc;
}

/** NSGA-II on the table: maximise accuracy, minimise FLOPs, under an optional hard FLOPs bound. */
export async function oracleSearch(oracle: Oracle, o: OracleSearchOptions): Promise<OracleSearchResult> {
  const space = cifarSpace;
  const mflops = (g: number[]) => space.cost(g).nb201Mflops;
  const base = categoricalVariation(space.genes.map((g) => g.choices.length));
  const r = await nsga2({ ...base, key: (g) => space.functionKey(g) },
    (gs) => gs.map((g) => {
      const f = mflops(g);
      return { objectives: [-lookup(oracle, space.format(g)), f], violation: o.maxMflops === undefined ? 0 : Math.max(0, f - o.maxMflops) / o.maxMflops };
    }),
    new Rng(o.seed),
    {
      populationSize: o.populationSize, generations: Infinity, maxEvaluations: o.evaluations, distinct: space.distinctFunctions,
      initialFilter: o.maxMflops === undefined ? undefined : (g) => mflops(g) <= o.maxMflops!,
    });
  const feasible = r.evaluated.filter((e) => e.violation === 0);
  const best = feasible.reduce(mostAccurate);
  return {
    bestArch: space.format(best.genes), bestAcc: -best.objectives[0]!, evaluations: r.evaluations,
    front: r.front.map((i) => ({ arch: space.format(i.genes), acc: -i.objectives[0]!, mflops: i.objectives[1]! }))
      .sort((a, b) => a.mflops - b.mflops),
    stopped: r.stopped,
  };
}

/**
 * Random search with the same budget of distinct evaluations (same sharing of
 * isomorphic cells), choosing as NSGA-II does: the most accurate, then the
 * cheaper, then the earlier. Stops after 100 draws per evaluation asked, so a
 * bound that holds fewer functions ends it with fewer evaluations.
 */
export function oracleRandomSearch(oracle: Oracle, o: OracleSearchOptions): OracleSearchResult {
  const space = cifarSpace;
  const rng = new Rng(o.seed);
  const seen = new Set<string>();
  let best: { arch: string; acc: number; mflops: number } | null = null;
  for (let tries = 0; seen.size < o.evaluations && tries < 100 * o.evaluations; tries++) {
    const g = space.genes.map((x) => rng.int(x.choices.length));
    const key = space.functionKey(g);
    const f = space.cost(g).nb201Mflops;
    if (seen.has(key) || (o.maxMflops !== undefined && f > o.maxMflops)) continue;
    seen.add(key);
    const arch = space.format(g);
    const acc = lookup(oracle, arch);
    if (best === null || acc > best.acc || (acc === best.acc && f < best.mflops)) best = { arch, acc, mflops: f };
  }
  if (best === null) throw new Error(`random search: none of ${100 * o.evaluations} random cells is within ${o.maxMflops} MFLOPs`);
  return { bestArch: best.arch, bestAcc: best.acc, evaluations: seen.size, front: [], stopped: "random" };
}
