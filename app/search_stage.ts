import { writeFileSync } from "node:fs";
import { ensureWritableDir } from "../data/files.js";
import { join } from "node:path";
import { supernetSearch, type SupernetSearchResult } from "../nas/search/supernet_search.js";
import type { SupernetSession } from "../nas/supernet/session.js";
import { openExecutor, type ExecutorSpec } from "../workers/executor.js";
import type { ProgressSink } from "../nas/progress.js";

export interface SearchStageOptions {
  /** Where paths are evaluated: this machine's pool (default) or a BullMQ queue. */
  executor: ExecutorSpec;
  /** The run's checkpoint file: what a queue publishes to its workers. */
  checkpoint?: string;
  populationSize: number;
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
 * Searches a loaded supernet on its executor and writes into `out`
 * front.json and front.csv (one row per function, by FLOPs) and
 * evaluated.json (every architecture evaluated).
 */
export async function searchSupernet(session: SupernetSession, o: SearchStageOptions, out: string, sink: ProgressSink): Promise<SupernetSearchResult> {
  ensureWritableDir(out); // before the search, not after
  const executor = await openExecutor(o.executor, session, o.checkpoint, out, (line) => sink.log(line));
  const bounds = [Number.isFinite(o.generations) ? `up to ${o.generations} generations` : "", `${o.evaluations} evaluations at most`,
    o.maxMflops !== undefined ? `at most ${o.maxMflops} MFLOPs` : "", o.maxParams !== undefined ? `at most ${o.maxParams} params` : ""];
  sink.log(`search: ${executor.description}; population ${o.populationSize}, ${bounds.filter((b) => b !== "").join(", ")}`);
  let r: SupernetSearchResult;
  try {
    r = await supernetSearch(session.space, executor, {
      ...o,
      onGeneration: (g) => sink.log(`generation ${g.generation}: best accuracy ${g.bestAcc.toFixed(4)}, front ${g.frontSize}, ` +
        `${g.evaluations} evaluations, ${g.evalsPerSecond.toFixed(2)} per second; ${executor.status()}`),
    });
  } finally {
    await executor.close();
  }
  sink.log(`search stopped: ${stopNote(r, session.space.distinctFunctions)}`);
  writeFileSync(join(out, "front.json"), `${JSON.stringify(r.front, null, 2)}\n`);
  writeFileSync(join(out, "front.csv"), ["arch,acc,macs,params,mflops,lambda",
    ...r.front.map((p) => `"${p.arch}",${p.acc},${p.macs},${p.params},${p.mflops},"${p.lambda.join(" ")}"`)].join("\n") + "\n");
  writeFileSync(join(out, "evaluated.json"), `${JSON.stringify(r.evaluated)}\n`);
  return r;
}
