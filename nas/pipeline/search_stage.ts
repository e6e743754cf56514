import { writeFileSync } from "node:fs";
import { ensureWritableDir } from "../../data/files.js";
import { join } from "node:path";
import { supernetSearch, type SupernetSearchResult } from "../search/supernet_search.js";
import type { SupernetRun } from "../supernet/run.js";
import { EvaluatorPool } from "../../workers/pool.js";
import type { ProgressSink } from "./sink.js";

export interface PoolSearchOptions {
  workers: number; populationSize: number;
  /** Infinity: until the evaluation budget (or the space) is spent. */
  generations: number;
  evaluations: number; seed: number; maxMflops?: number; maxParams?: number;
}

/** Why a search stopped, as a user reads it. */
export function stopNote(r: SupernetSearchResult, distinct: number): string {
  switch (r.stopped) {
    case "exhausted": return `every one of the space's ${distinct} distinct functions was evaluated`;
    case "stalled": return "no new architecture turned up in 1000 generations";
    case "evaluations": return `${r.evaluations} evaluations done`;
    case "generations": return `${r.generations} generations done`;
  }
}

/**
 * Searches a loaded supernet with the worker pool and writes into `out`
 * front.json and front.csv (one row per function, by FLOPs) and
 * evaluated.json (every architecture evaluated).
 */
export async function searchSupernet(run: SupernetRun, o: PoolSearchOptions, out: string, sink: ProgressSink): Promise<SupernetSearchResult> {
  ensureWritableDir(out); // before the search, not after
  const pool = await EvaluatorPool.create(run, { workers: o.workers });
  const bounds = [Number.isFinite(o.generations) ? `up to ${o.generations} generations` : "", `${o.evaluations} evaluations at most`,
    o.maxMflops !== undefined ? `at most ${o.maxMflops} MFLOPs` : "", o.maxParams !== undefined ? `at most ${o.maxParams} params` : ""];
  sink.log(`search: ${o.workers} workers reading ${(pool.sharedBytes / 2 ** 20).toFixed(1)} MiB of shared weights and validation data; ` +
    `population ${o.populationSize}, ${bounds.filter((b) => b !== "").join(", ")}`);
  let r: SupernetSearchResult;
  try {
    r = await supernetSearch(run.space, pool, {
      ...o,
      onGeneration: (g) => sink.log(`generation ${g.generation}: best accuracy ${g.bestAcc.toFixed(4)}, front ${g.frontSize}, ` +
        `${g.evaluations} evaluations, ${g.evalsPerSecond.toFixed(2)} per second`),
    });
  } finally {
    await pool.close();
  }
  sink.log(`search stopped: ${stopNote(r, run.space.distinctFunctions)}`);
  writeFileSync(join(out, "front.json"), `${JSON.stringify(r.front, null, 2)}\n`);
  writeFileSync(join(out, "front.csv"), ["arch,acc,macs,params,mflops,lambda",
    ...r.front.map((p) => `"${p.arch}",${p.acc},${p.macs},${p.params},${p.mflops},"${p.lambda.join(" ")}"`)].join("\n") + "\n");
  writeFileSync(join(out, "evaluated.json"), `${JSON.stringify(r.evaluated)}\n`);
  return r;
}
