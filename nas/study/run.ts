import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../../data/files.js";
import { canonicalJson } from "../../data/run_dir.js";
import { tidy } from "../../engine/index.js";
import { EMBEDDED_FASHION_MNIST } from "../../train/datasets.js";
import type { ProgressSink } from "../progress.js";
import { evaluatePath } from "../supernet/evaluate.js";
import { buildSupernetSession, continueSupernetTraining, disposeSupernetSession, loadSupernetCheckpoint, type SupernetConfig, type SupernetSession } from "../supernet/session.js";
import { DEFAULT_SUPERNET_OPTIONS, type SupernetEpochReport } from "../supernet/trainer.js";
import { rankMetrics, runLabel, type CellFacts, type CurvePoint, type RankStudyProtocol, type StudyRun, type StudyRunResult } from "./statistics.js";

/** The truth a run is scored against: its cells, their mean accuracies and their facts (working, convolutions). */
export interface StudyTruth { cells: readonly string[]; mean: readonly number[]; facts: CellFacts }

/** The data a study trains on: the protocol's directory, or the embedded Fashion-MNIST subset. */
export function studyDataDir(p: RankStudyProtocol): string {
  return p.dataDir ?? EMBEDDED_FASHION_MNIST;
}

function supernetConfig(p: RankStudyProtocol, run: StudyRun, seed: number): SupernetConfig {
  return {
    ...DEFAULT_SUPERNET_OPTIONS, ...p.budget, mode: run.mode, K: run.K, space: "nb201",
    dataset: "fashion-mnist", dataDir: studyDataDir(p), seed,
  };
}

/** A run's files in the study directory: its checkpoint, and beside it its epochs' losses and its curve. */
export function studyRunFiles(dir: string, run: StudyRun, seed: number): { checkpoint: string; history: string; curve: string } {
  const checkpoint = join(dir, "supernets", `${runLabel(run).replace(/[ =]/g, "")}-seed${seed}.safetensors`);
  return { checkpoint, history: checkpoint.replace(/\.safetensors$/, ".epochs.json"), curve: checkpoint.replace(/\.safetensors$/, ".curve.json") };
}

/** Everything but the data's directory, which moves with the checkout: a study resumes on another machine. */
function sameRun(a: SupernetConfig, b: SupernetConfig): boolean {
  const { dataDir: _a, ...ra } = a, { dataDir: _b, ...rb } = b;
  return canonicalJson(ra) === canonicalJson(rb);
}

/**
 * Trains one run's supernet (resuming its checkpoint if one is there), then
 * scores every truth cell on the held-out split. With `p.scoreEvery` it also
 * scores them along the way, which leaves the training's bits as they were.
 */
export async function studyRun(p: RankStudyProtocol, run: StudyRun, seed: number, truth: StudyTruth,
  dir: string, sink: ProgressSink, tag: string): Promise<StudyRunResult> {
  const { cells } = truth;
  const t0 = performance.now();
  const label = runLabel(run);
  const files = studyRunFiles(dir, run, seed);
  const config = supernetConfig(p, run, seed);
  let sn: SupernetSession;
  if (existsSync(files.checkpoint)) {
    sn = loadSupernetCheckpoint(files.checkpoint, { resume: true, dataDir: config.dataDir });
    if (!sameRun(sn.config, config)) throw new Error(`${files.checkpoint} holds another run's supernet; remove it or pass another --out`);
    sink.log(`${tag} ${label}, seed ${seed}: resuming ${files.checkpoint} after epoch ${sn.trainer.epoch}`);
  } else {
    sn = buildSupernetSession(config);
  }
  // the epochs' losses live beside the checkpoint, so a resumed run reports all of them
  const reports: SupernetEpochReport[] = existsSync(files.history) && existsSync(files.checkpoint) ? JSON.parse(readFileSync(files.history, "utf8")) as SupernetEpochReport[] : [];
  reports.splice(sn.trainer.epoch); // only the epochs the checkpoint holds
  // the curve too: points past the checkpoint's step are scored again as the resumed run passes them
  const every = p.scoreEvery ?? 0;
  const curve: CurvePoint[] = every > 0 && existsSync(files.curve) && existsSync(files.checkpoint)
    ? (JSON.parse(readFileSync(files.curve, "utf8")) as CurvePoint[]).filter((c) => c.step <= sn.trainer.globalStep) : [];
  const epochs = p.budget.epochs;
  try {
    await continueSupernetTraining(sn, files.checkpoint,
      (r) => {
        sink.update(`${tag} ${label}, seed ${seed}: epoch ${r.epoch}/${epochs} step ${r.step}/${r.steps} ${r.kind} loss ${r.loss.toFixed(4)}`);
        // scoring reads the weights and leaves them, the modes and every random generator as they were: the training is the same bits
        const step = sn.trainer.globalStep + 1; // supernet steps done, this one included
        if (every > 0 && r.kind === "supernet" && step % every === 0) {
          const acc = scoreCells(sn, cells).acc;
          curve.push({ step, metrics: rankMetrics(truth.mean, acc, truth.facts), meanAcc: acc.reduce((a, b) => a + b, 0) / acc.length });
          writeJson(files.curve, curve);
          sink.log(`${tag} ${label}, seed ${seed}: step ${step}, tau-b on working cells ${curve.at(-1)!.metrics.tauBWorking?.toFixed(3) ?? "undefined"}, mean accuracy ${curve.at(-1)!.meanAcc.toFixed(4)}`);
        }
      },
      (r) => { reports.push(r); writeJson(files.history, reports); });
    sink.update(`${tag} ${label}, seed ${seed}: scoring ${cells.length} cells`);
    const { acc: supernetAcc, lambda } = scoreCells(sn, cells);
    return {
      label, mode: run.mode, K: run.K, seed, metrics: rankMetrics(truth.mean, supernetAcc, truth.facts), supernetAcc, lambda, epochs: reports,
      ...(every > 0 ? { curve } : {}), seconds: (performance.now() - t0) / 1000,
    };
  } finally {
    disposeSupernetSession(sn);
  }
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

export function writeJson(path: string, value: unknown): void {
  writeFileAtomic(path, `${JSON.stringify(value, null, 1)}\n`);
}
