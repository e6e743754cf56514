import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ensureWritableDir } from "../data/files.js";
import type { ProgressSink } from "../nas/progress.js";
import { cellFacts, formatStatistic, highGroupSize, predictorMetrics, runLabel, summarize, type RankStudyProtocol, type StudyResult, type StudyRunResult } from "../nas/study/statistics.js";
import { studyRun, writeJson } from "../nas/study/run.js";
import { truthCeiling, type TruthRow } from "../nas/study/truth.js";
import { canonicalJson, differingFields } from "../data/run_dir.js";
import { StudyPool } from "../workers/study_pool.js";
import { runLanes } from "../workers/lanes.js";

/**
 * The rank study: for every seed and every run (mode, K), trains a supernet
 * with the shared budget, scores the truth's cells on its held-out split and
 * ranks them against the truth's means. `dir/study.json` is rewritten after
 * every run; a restarted study with the same protocol skips finished runs
 * and resumes an unfinished one from its checkpoint. With `lanes` > 1 the
 * runs train side by side, one kernel thread each, with the same results.
 */
export async function runRankStudy(p: RankStudyProtocol, truth: readonly TruthRow[], dir: string, sink: ProgressSink, o: { lanes?: number } = {}): Promise<StudyResult> {
  const t0 = performance.now();
  if (truth.length < 3) throw new Error(`rank study: the truth holds ${truth.length} cells; at least 3 are needed`);
  if (truth.every((r) => r.mean === truth[0]!.mean)) throw new Error("rank study: every truth cell has the same accuracy; there is no order to rank against");
  const cells = truth.map((r) => r.arch), mean = truth.map((r) => r.mean), facts = cellFacts(truth);
  const k = highGroupSize(cells.length);
  const path = join(dir, "study.json");
  ensureWritableDir(join(dir, "supernets"));
  let done: StudyRunResult[] = [];
  if (existsSync(path)) {
    const old = JSON.parse(readFileSync(path, "utf8")) as StudyResult;
    if (canonicalJson(old.protocol) !== canonicalJson(p)) throw new Error(`${path} was made with another protocol (${differingFields(old.protocol, p).join("; ")}); resume with the same flags and kernel set (KSHOT_KERNELS) or pass another --out`);
    done = old.results;
  }
  const result = (): StudyResult => ({
    protocol: p, truth: { arch: cells, mean, ceiling: truthCeiling(truth) }, predictors: predictorMetrics(truth, facts), highGroupSize: k,
    results: done, summary: summarize(done, p.runs, k), seconds: (performance.now() - t0) / 1000,
  });
  const jobs = p.seeds.flatMap((seed) => p.runs.map((run) => ({ seed, run })));
  const order = (r: { seed: number; label: string }) => jobs.findIndex((j) => j.seed === r.seed && runLabel(j.run) === r.label);
  const todo = jobs.map((j, i) => ({ ...j, tag: `[${i + 1}/${jobs.length}]` }))
    .filter((j) => !done.some((r) => r.label === runLabel(j.run) && r.seed === j.seed));
  const finish = (r: StudyRunResult, tag: string) => {
    done = [...done, r].sort((a, b) => order(a) - order(b)); // the protocol's order, whichever lane finished first
    sink.log(`${tag} ${r.label}, seed ${r.seed}: tau-a ${formatStatistic(r.metrics.tauA)}, tau-b on working cells ${formatStatistic(r.metrics.tauBWorking)}${r.metrics.tauB === null ? " (the supernet scored every cell alike: rank statistics are undefined)" : ""} (${Math.round(r.seconds)} s)`);
    writeJson(path, result());
  };
  const study = { cells, mean, facts };
  const lanes = Math.min(o.lanes ?? 1, todo.length);
  if (lanes <= 1) {
    for (const j of todo) finish(await studyRun(p, j.run, j.seed, study, dir, sink, j.tag), j.tag);
  } else {
    sink.log(`rank study: ${todo.length} run(s) on ${lanes} lanes, one CPU thread each`);
    const pool = new StudyPool(lanes);
    try {
      await runLanes(todo, lanes, async (j) => finish(await pool.run({ protocol: p, run: j.run, seed: j.seed, truth: study, dir, tag: j.tag }, sink), j.tag));
    } finally {
      await pool.close();
    }
  }
  const out = result();
  writeJson(path, out);
  return out;
}
