import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ensureWritableDir, writeFileAtomic } from "../data/files.js";
import { tidy } from "../engine/index.js";
import { EMBEDDED_FASHION_MNIST } from "../train/datasets.js";
import type { ProgressSink } from "../nas/progress.js";
import { evaluatePath } from "../nas/supernet/evaluate.js";
import { buildSupernetSession, continueSupernetTraining, disposeSupernetSession, loadSupernetCheckpoint, type SupernetSession, type SupernetConfig } from "../nas/supernet/session.js";
import { DEFAULT_SUPERNET_OPTIONS, type SupernetEpochReport } from "../nas/supernet/trainer.js";
import { cellFacts, formatStatistic, highGroupSize, predictorMetrics, rankMetrics, type CellFacts, runLabel, summarize, type CurvePoint, type RankStudyProtocol, type StudyResult, type StudyRun, type StudyRunResult } from "../nas/study/statistics.js";
import { truthCeiling, type TruthRow } from "../nas/study/truth.js";
import { canonicalJson, differingFields } from "../data/run_dir.js";

function supernetConfig(p: RankStudyProtocol, run: StudyRun, seed: number): SupernetConfig {
  const b = p.budget;
  return {
    ...DEFAULT_SUPERNET_OPTIONS, ...b, mode: run.mode, K: run.K, space: "nb201",
    dataset: "fashion-mnist", dataDir: EMBEDDED_FASHION_MNIST, seed,
  };
}

/** Trains one run's supernet (resuming its checkpoint if one is there), then scores every truth cell on the held-out split. */
async function studyRun(p: RankStudyProtocol, run: StudyRun, seed: number, truth: { cells: readonly string[]; mean: readonly number[]; facts: CellFacts },
  dir: string, sink: ProgressSink, tag: string): Promise<StudyRunResult> {
  const { cells } = truth;
  const t0 = performance.now();
  const label = runLabel(run);
  const checkpoint = join(dir, "supernets", `${label.replace(/[ =]/g, "")}-seed${seed}.safetensors`);
  let sn: SupernetSession;
  if (existsSync(checkpoint)) {
    sn = loadSupernetCheckpoint(checkpoint, { resume: true });
    if (canonicalJson(sn.config) !== canonicalJson(supernetConfig(p, run, seed))) throw new Error(`${checkpoint} holds another run's supernet; remove it or pass another --out`);
    sink.log(`${tag} ${label}, seed ${seed}: resuming ${checkpoint} after epoch ${sn.trainer.epoch}`);
  } else {
    sn = buildSupernetSession(supernetConfig(p, run, seed));
  }
  // the epochs' losses live beside the checkpoint, so a resumed run reports all of them
  const history = checkpoint.replace(/\.safetensors$/, ".epochs.json");
  const reports: SupernetEpochReport[] = existsSync(history) && existsSync(checkpoint) ? JSON.parse(readFileSync(history, "utf8")) as SupernetEpochReport[] : [];
  reports.splice(sn.trainer.epoch); // only the epochs the checkpoint holds
  // the curve too: points past the checkpoint's step are scored again as the resumed run passes them
  const every = p.scoreEvery ?? 0;
  const curvePath = checkpoint.replace(/\.safetensors$/, ".curve.json");
  const curve: CurvePoint[] = every > 0 && existsSync(curvePath) && existsSync(checkpoint)
    ? (JSON.parse(readFileSync(curvePath, "utf8")) as CurvePoint[]).filter((c) => c.step <= sn.trainer.globalStep) : [];
  const epochs = p.budget.epochs;
  await continueSupernetTraining(sn, checkpoint,
    (r) => {
      sink.update(`${tag} ${label}, seed ${seed}: epoch ${r.epoch}/${epochs} step ${r.step}/${r.steps} ${r.kind} loss ${r.loss.toFixed(4)}`);
      // scoring reads the weights and leaves them, the modes and every random generator as they were: the training is the same bits
      const step = sn.trainer.globalStep + 1; // supernet steps done, this one included
      if (every > 0 && r.kind === "supernet" && step % every === 0) {
        const acc = scoreCells(sn, cells).acc;
        curve.push({ step, metrics: rankMetrics(truth.mean, acc, truth.facts), meanAcc: acc.reduce((a, b) => a + b, 0) / acc.length });
        writeJson(curvePath, curve);
      }
    },
    (r) => { reports.push(r); writeJson(history, reports); });
  sink.update(`${tag} ${label}, seed ${seed}: scoring ${cells.length} cells`);
  const { acc: supernetAcc, lambda } = scoreCells(sn, cells);
  disposeSupernetSession(sn);
  return {
    label, mode: run.mode, K: run.K, seed, metrics: rankMetrics(truth.mean, supernetAcc, truth.facts), supernetAcc, lambda, epochs: reports,
    ...(every > 0 ? { curve } : {}), seconds: (performance.now() - t0) / 1000,
  };
}

/** Every cell's accuracy on the held-out split (batch-statistic BN, as the search scores paths) and its code. */
function scoreCells(sn: SupernetSession, cells: readonly string[]): { acc: number[]; lambda: number[][] } {
  const acc: number[] = [], lambda: number[][] = [];
  for (const arch of cells) {
    tidy(() => {
      const genes = sn.space.parse(arch);
      const code = sn.trainer.code(genes, false);
      acc.push(evaluatePath(sn.supernet, genes, code, sn.val, sn.recipe, 256));
      lambda.push([...code.dataSync()]);
    });
  }
  return { acc, lambda };
}

function writeJson(path: string, value: unknown): void {
  writeFileAtomic(path, `${JSON.stringify(value, null, 1)}\n`);
}

/**
 * The rank study: for every seed and every run (mode, K), trains a supernet
 * with the shared budget, scores the truth's cells on its held-out split and
 * ranks them against the truth's means. `dir/study.json` is rewritten after
 * every run; a restarted study with the same protocol skips finished runs
 * and resumes an unfinished one from its checkpoint.
 */
export async function runRankStudy(p: RankStudyProtocol, truth: readonly TruthRow[], dir: string, sink: ProgressSink): Promise<StudyResult> {
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
    if (canonicalJson(old.protocol) !== canonicalJson(p)) throw new Error(`${path} was made with another protocol (${differingFields(old.protocol, p).join("; ")}); resume with the same flags or pass another --out`);
    done = old.results;
  }
  const result = (): StudyResult => ({
    protocol: p, truth: { arch: cells, mean, ceiling: truthCeiling(truth) }, predictors: predictorMetrics(truth, facts), highGroupSize: k,
    results: done, summary: summarize(done, p.runs, k), seconds: (performance.now() - t0) / 1000,
  });
  const total = p.seeds.length * p.runs.length;
  let index = 0;
  for (const seed of p.seeds) {
    for (const run of p.runs) {
      index++;
      if (done.some((r) => r.label === runLabel(run) && r.seed === seed)) continue;
      const r = await studyRun(p, run, seed, { cells, mean, facts }, dir, sink, `[${index}/${total}]`);
      done = [...done, r];
      sink.log(`[${index}/${total}] ${r.label}, seed ${seed}: tau-a ${formatStatistic(r.metrics.tauA)}, Spearman ${formatStatistic(r.metrics.spearman)}${r.metrics.tauB === null ? " (the supernet scored every cell alike: rank statistics are undefined)" : ""} (${Math.round(r.seconds)} s)`);
      writeJson(path, result());
    }
  }
  const out = result();
  writeJson(path, out);
  return out;
}
