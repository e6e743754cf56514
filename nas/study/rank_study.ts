import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ensureWritableDir, writeFileAtomic } from "../../data/files.js";
import { tidy } from "../../engine/index.js";
import { EMBEDDED_FASHION_MNIST } from "../../train/datasets.js";
import { evaluatePath } from "../supernet/evaluate.js";
import { buildSupernetRun, continueSupernetRun, disposeSupernetRun, loadSupernetCheckpoint, type SupernetRun, type SupernetRunConfig } from "../supernet/run.js";
import { DEFAULT_SUPERNET_OPTIONS, type SupernetEpochReport, type SupernetMode } from "../supernet/trainer.js";
import { highGroupTau, kendallTauA, kendallTauB, pearson, spearman } from "../search/ranking.js";
import type { ProgressSink } from "../pipeline/sink.js";
import { canonicalJson, truthCeiling, type TruthCeiling, type TruthRow } from "./truth.js";

/** One supernet of the study: a mode and its K (one-shot is K = 1). */
export interface StudyRun { mode: SupernetMode; K: number }

export function runLabel(r: StudyRun): string {
  return r.mode === "oneshot" ? "one-shot" : `${r.mode} K=${r.K}`;
}

/** The supernet budget every run of the study shares (NAS-Bench-201 on the embedded Fashion-MNIST). */
export interface StudyBudget {
  C: number; N: number; epochs: number; warmupEpochs: number; batchSize: number; trainLimit: number; valSize: number;
  lr: number; simplexLr: number; m: number; simplexBatch: number; hidden: number;
}

export interface RankStudyProtocol {
  runs: StudyRun[];
  seeds: number[];
  budget: StudyBudget;
  /** The ground truth: its file as given and its cells' count (the study scores exactly those cells). */
  truth: { path: string; cells: number };
}

export interface RankMetrics {
  tauA: number; tauB: number; spearman: number; pearson: number;
  /** Figure 5: high-group tau with the top k cells by truth as the high group, k = 1 .. n-1 (index k - 1). */
  highGroup: number[];
}

export interface StudyRunResult {
  label: string; mode: SupernetMode; K: number; seed: number;
  metrics: RankMetrics;
  /** Per truth cell, in the truth's order: accuracy on the held-out split and the code. */
  supernetAcc: number[];
  lambda: number[][];
  epochs: SupernetEpochReport[];
  seconds: number;
}

export interface MeanSd { mean: number; sd: number; n: number }

export interface StudySummaryRow {
  label: string; mode: SupernetMode; K: number;
  tauA: MeanSd; tauB: MeanSd; spearman: MeanSd; pearson: MeanSd;
  /** The high-group tau at the report's group size (a quarter of the cells). */
  highGroup: MeanSd;
  /** Per seed, this run's tau-a minus one-shot's (absent without a one-shot run). */
  tauAMinusOneShot: (MeanSd & { perSeed: number[] }) | null;
}

export interface StudyResult {
  protocol: RankStudyProtocol;
  truth: { arch: string[]; mean: number[]; ceiling: TruthCeiling | null };
  highGroupSize: number;
  results: StudyRunResult[];
  summary: StudySummaryRow[];
  seconds: number;
}

export function meanSd(v: readonly number[]): MeanSd {
  const n = v.length;
  const mean = v.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, sd, n };
}

/** Rank agreement of supernet scores with the truth (tau-a is Eq. 18; tau-b corrects for ties). */
export function rankMetrics(truth: readonly number[], pred: readonly number[]): RankMetrics {
  return {
    tauA: kendallTauA(truth, pred), tauB: kendallTauB(truth, pred), spearman: spearman(truth, pred), pearson: pearson(truth, pred),
    highGroup: Array.from({ length: truth.length - 1 }, (_, i) => highGroupTau(truth, pred, i + 1)),
  };
}

export function highGroupSize(cells: number): number {
  return Math.max(1, Math.round(cells / 4));
}

/** Mean ± sd over seeds per run label, and the paired difference to one-shot of the same seed. */
export function summarize(results: readonly StudyRunResult[], runs: readonly StudyRun[], k: number): StudySummaryRow[] {
  const oneShot = new Map(results.filter((r) => r.mode === "oneshot").map((r) => [r.seed, r.metrics.tauA]));
  return runs.map((run) => {
    const label = runLabel(run);
    const rs = results.filter((r) => r.label === label);
    const diffs = rs.filter((r) => oneShot.has(r.seed)).map((r) => r.metrics.tauA - oneShot.get(r.seed)!);
    return {
      label, mode: run.mode, K: run.K,
      tauA: meanSd(rs.map((r) => r.metrics.tauA)), tauB: meanSd(rs.map((r) => r.metrics.tauB)),
      spearman: meanSd(rs.map((r) => r.metrics.spearman)), pearson: meanSd(rs.map((r) => r.metrics.pearson)),
      highGroup: meanSd(rs.map((r) => r.metrics.highGroup[k - 1]!)),
      tauAMinusOneShot: run.mode === "oneshot" || diffs.length === 0 ? null : { ...meanSd(diffs), perSeed: diffs },
    };
  });
}

function supernetConfig(p: RankStudyProtocol, run: StudyRun, seed: number): SupernetRunConfig {
  const b = p.budget;
  return {
    ...DEFAULT_SUPERNET_OPTIONS, ...b, mode: run.mode, K: run.K, space: "nb201",
    dataset: "fashion-mnist", dataDir: EMBEDDED_FASHION_MNIST, seed,
  };
}

/** Trains one run's supernet (resuming its checkpoint if one is there), then scores every truth cell on the held-out split. */
async function studyRun(p: RankStudyProtocol, run: StudyRun, seed: number, truth: { cells: readonly string[]; mean: readonly number[] },
  dir: string, sink: ProgressSink, tag: string): Promise<StudyRunResult> {
  const { cells } = truth;
  const t0 = performance.now();
  const label = runLabel(run);
  const checkpoint = join(dir, "supernets", `${label.replace(/[ =]/g, "")}-seed${seed}.safetensors`);
  let sn: SupernetRun;
  if (existsSync(checkpoint)) {
    sn = loadSupernetCheckpoint(checkpoint, { resume: true });
    if (canonicalJson(sn.config) !== canonicalJson(supernetConfig(p, run, seed))) throw new Error(`${checkpoint} holds another run's supernet; remove it or pass another --out`);
    sink.log(`${tag} ${label}, seed ${seed}: resuming ${checkpoint} after epoch ${sn.trainer.epoch}`);
  } else {
    sn = buildSupernetRun(supernetConfig(p, run, seed));
  }
  // the epochs' losses live beside the checkpoint, so a resumed run reports all of them
  const history = checkpoint.replace(/\.safetensors$/, ".epochs.json");
  const reports: SupernetEpochReport[] = existsSync(history) && existsSync(checkpoint) ? JSON.parse(readFileSync(history, "utf8")) as SupernetEpochReport[] : [];
  reports.splice(sn.trainer.epoch); // only the epochs the checkpoint holds
  const epochs = p.budget.epochs;
  await continueSupernetRun(sn, checkpoint,
    (r) => sink.update(`${tag} ${label}, seed ${seed}: epoch ${r.epoch}/${epochs} step ${r.step}/${r.steps} ${r.kind} loss ${r.loss.toFixed(4)}`),
    (r) => { reports.push(r); writeJson(history, reports); });
  const supernetAcc: number[] = [], lambda: number[][] = [];
  cells.forEach((arch, i) => {
    sink.update(`${tag} ${label}, seed ${seed}: scoring cell ${i + 1}/${cells.length}`);
    tidy(() => {
      const genes = sn.space.parse(arch);
      const code = sn.trainer.code(genes, false);
      supernetAcc.push(evaluatePath(sn.supernet, genes, code, sn.val, sn.recipe, 256));
      lambda.push([...code.dataSync()]);
    });
  });
  disposeSupernetRun(sn);
  return {
    label, mode: run.mode, K: run.K, seed, metrics: rankMetrics(truth.mean, supernetAcc), supernetAcc, lambda, epochs: reports,
    seconds: (performance.now() - t0) / 1000,
  };
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
  const cells = truth.map((r) => r.arch), mean = truth.map((r) => r.mean);
  const k = highGroupSize(cells.length);
  const path = join(dir, "study.json");
  ensureWritableDir(join(dir, "supernets"));
  let done: StudyRunResult[] = [];
  if (existsSync(path)) {
    const old = JSON.parse(readFileSync(path, "utf8")) as StudyResult;
    if (canonicalJson(old.protocol) !== canonicalJson(p)) throw new Error(`${path} was made with another protocol; resume with the same flags or pass another --out`);
    done = old.results;
  }
  const result = (): StudyResult => ({
    protocol: p, truth: { arch: cells, mean, ceiling: truthCeiling(truth) }, highGroupSize: k,
    results: done, summary: summarize(done, p.runs, k), seconds: (performance.now() - t0) / 1000,
  });
  const total = p.seeds.length * p.runs.length;
  let index = 0;
  for (const seed of p.seeds) {
    for (const run of p.runs) {
      index++;
      if (done.some((r) => r.label === runLabel(run) && r.seed === seed)) continue;
      const r = await studyRun(p, run, seed, { cells, mean }, dir, sink, `[${index}/${total}]`);
      done = [...done, r];
      sink.log(`[${index}/${total}] ${r.label}, seed ${seed}: tau-a ${r.metrics.tauA.toFixed(3)}, Spearman ${r.metrics.spearman.toFixed(3)} (${Math.round(r.seconds)} s)`);
      writeJson(path, result());
    }
  }
  const out = result();
  writeJson(path, out);
  return out;
}
