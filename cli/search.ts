import { writeFileAtomic } from "../data/files.js";
import { claimRunDir } from "../data/run_dir.js";
import { availableParallelism } from "node:os";
import { join, resolve } from "node:path";
import { loadOracle, oracleRandomSearch, oracleSearch } from "../nas/search/oracle.js";
import type { SupernetSearchResult } from "../nas/search/supernet_search.js";
import { loadSupernetCheckpoint, type SupernetSession } from "../nas/supernet/session.js";
import { searchSupernet, type SearchStageOptions } from "../app/search_stage.js";
import { executorSpec, executorFlags } from "./executor_flags.js";
import { Progress } from "./progress.js";
import { UsageError, givenFlags, helpText, num, optionalNum, parseFlags, refuseFlags, seedNum, type FlagSpecs } from "./args.js";

export const searchFlags: FlagSpecs = {
  supernet: { type: "string", help: "trained supernet checkpoint to search (kshot supernet train)" },
  "max-params": { type: "string", help: "hard bound on parameters (instead of, or with, --max-mflops)" },
  workers: { type: "string", help: "evaluation worker threads", default: String(availableParallelism()) },
  generations: { type: "string", help: "NSGA-II generations (with --supernet)", default: "20" },
  out: { type: "string", help: "directory for front.json, front.csv and summary.json (with --supernet)", default: "runs/search" },
  oracle: { type: "string", help: "NAS-Bench-201 table (CSV with an arch column and accuracy columns) to look accuracies up in" },
  column: { type: "string", help: "accuracy column of the table", default: "cifar10" },
  evaluations: { type: "string", help: "distinct architectures to evaluate", default: "1000" },
  population: { type: "string", help: "NSGA-II population", default: "50" },
  "max-mflops": { type: "string", help: "hard bound on MFLOPs (NAS-Bench-201 convention: MACs and the classifier's bias adds) of the network the supernet or table describes" },
  random: { type: "boolean", help: "random search with the same budget instead of NSGA-II" },
  seed: { type: "string", help: "seed", default: "0" },
  json: { type: "boolean", help: "print {\"bestArch\", \"bestAcc\", \"evaluations\", ...} as the last line" },
  "data-dir": { type: "string", help: "with --supernet: the data directory, where the one the checkpoint records has moved or is gone (the same data)" },
  force: { type: "boolean", help: "with --supernet: write into --out even if it holds another command's results or another search's" },
  ...executorFlags,
};

/** `kshot search --oracle`: NSGA-II (or random search) over NAS-Bench-201 with accuracies from a table. */
export async function searchCommand(argv: string[]): Promise<void> {
  const cmd = "kshot search";
  const f = parseFlags(cmd, argv, searchFlags);
  if (f.help) {
    process.stdout.write(helpText(`usage: ${cmd} --supernet CHECKPOINT | --oracle FILE [options]`,
      "Searches with NSGA-II (maximise accuracy, minimise FLOPs): a trained supernet (--supernet, paths scored on\nits held-out images by this machine's worker pool, or by 'kshot worker' processes on a Redis queue with\n--executor bullmq) or NAS-Bench-201 with accuracies looked up in a table (--oracle).\nIsomorphic NAS-Bench-201 cells are evaluated once.", searchFlags));
    return;
  }
  const given = givenFlags(argv);
  if (f.supernet !== undefined && f.oracle !== undefined) throw new UsageError(`${cmd}: --supernet and --oracle are two kinds of search; give one`);
  if (f.supernet !== undefined) {
    refuseFlags(cmd, given, ["column", "random"], "--supernet");
    const options = {
      executor: executorSpec(cmd, f, num(cmd, "workers", f.workers, { integer: true, min: 1 }), given),
      checkpoint: String(f.supernet),
      populationSize: num(cmd, "population", f.population, { integer: true, min: 2 }),
      generations: num(cmd, "generations", f.generations, { integer: true, min: 0 }),
      evaluations: num(cmd, "evaluations", f.evaluations, { integer: true, min: 1 }),
      seed: seedNum(cmd, f.seed),
      maxMflops: optionalNum(cmd, "max-mflops", f["max-mflops"], { min: 0 }),
      maxParams: optionalNum(cmd, "max-params", f["max-params"], { min: 0 }),
    };
    // every flag and the output before the checkpoint loads; results depend on these, not on where they are computed
    const { executor: _executor, ...settings } = { ...options, checkpoint: resolve(options.checkpoint) };
    claimRunDir(String(f.out), { command: `${cmd} --supernet`, settings }, { force: f.force === true, flag: "--out" });
    const dataDir = typeof f["data-dir"] === "string" ? f["data-dir"] : undefined;
    const r = await searchAndPrint(loadSupernetCheckpoint(String(f.supernet), { dataDir }), options, String(f.out), settings);
    if (f.json) process.stdout.write(`${JSON.stringify(summaryOf(r, String(f.out), settings))}\n`);
    return;
  }
  if (f.oracle === undefined) throw new UsageError(`${cmd}: give --supernet CHECKPOINT or --oracle FILE`);
  refuseFlags(cmd, given, ["out", "workers", "generations", "force", "max-params", "data-dir", ...Object.keys(executorFlags)], "--oracle");
  const options = {
    evaluations: num(cmd, "evaluations", f.evaluations, { integer: true, min: 1 }),
    populationSize: num(cmd, "population", f.population, { integer: true, min: 2 }),
    seed: seedNum(cmd, f.seed),
    maxMflops: optionalNum(cmd, "max-mflops", f["max-mflops"], { min: 0 }),
  };
  const oracle = loadOracle(String(f.oracle), String(f.column));
  const r = f.random ? oracleRandomSearch(oracle, options) : await oracleSearch(oracle, options);
  const why = r.stopped === "exhausted" ? " (every distinct function of the space: the search stopped there)"
    : r.stopped === "stalled" ? " (no new architecture in 1000 generations: the search stopped there)" : "";
  process.stdout.write(`${f.random ? "random search" : "NSGA-II"}: best ${r.bestAcc} (${f.column}) after ${r.evaluations} evaluations${why}: ${r.bestArch}\n`);
  for (const p of r.front) process.stdout.write(`  front ${p.acc.toFixed(2)}  ${p.mflops.toFixed(2)} MFLOPs  ${p.arch}\n`);
  if (f.json) process.stdout.write(`${JSON.stringify({ bestArch: r.bestArch, bestAcc: r.bestAcc, evaluations: r.evaluations })}\n`);
}

/** Searches a loaded supernet on its executor (progress on stderr), writes the front into `out` and prints it. */
export async function searchAndPrint(session: SupernetSession, o: SearchStageOptions, out: string, settings: Record<string, unknown>): Promise<SupernetSearchResult> {
  const r = await searchSupernet(session, o, out, new Progress());
  writeFileAtomic(join(out, "summary.json"), `${JSON.stringify(summaryOf(r, out, settings), null, 2)}\n`);
  printFront(r);
  process.stdout.write(`front and summary in ${out}/\n`);
  return r;
}

/** The front as a user reads it: one row per function, by FLOPs, the chosen one marked. */
export function printFront(r: Pick<SupernetSearchResult, "front" | "best">): void {
  process.stdout.write("Pareto front, one row per function, by FLOPs (accuracy on held-out images):\n");
  for (const p of r.front) {
    const mark = p.arch === r.best.arch ? " <- chosen" : "";
    process.stdout.write(`  ${p.acc.toFixed(4)}  ${p.mflops.toFixed(3).padStart(7)} MFLOPs  ${String(p.params).padStart(7)} params  ${p.arch}${mark}\n`);
  }
  process.stdout.write(`chosen: ${r.best.arch} (accuracy ${r.best.acc.toFixed(4)}, ${r.best.mflops.toFixed(3)} MFLOPs, ${r.best.params} params, ` +
    `lambda [${r.best.lambda.map((v) => v.toFixed(3)).join(", ")}])\n`);
}

/** The search's summary: the pick, how many distinct functions it evaluated, and the settings and seed that made it. */
function summaryOf(r: SupernetSearchResult, out: string, settings: Record<string, unknown>) {
  return { bestArch: r.best.arch, bestAcc: r.best.acc, mflops: r.best.mflops, macs: r.best.macs, params: r.best.params, lambda: r.best.lambda,
    evaluations: r.evaluations, generations: r.generations, stopped: r.stopped, seconds: r.seconds, frontSize: r.front.length, out, settings };
}
