import { appendFileSync, existsSync, readFileSync, rmSync } from "node:fs";
import { writeFileAtomic } from "../../data/files.js";
import { Rng } from "../../engine/index.js";
import { head } from "../../data/dataset.js";
import { readCsv, columnIndex, DECIMAL } from "../../data/csv.js";
import { DATA_RECIPES, EMBEDDED_FASHION_MNIST, loadDataset, type DatasetName } from "../../train/datasets.js";
import type { TrainRecipe } from "../../train/fit.js";
import { TrainerPool } from "../../workers/train_pool.js";
import { shareDataset } from "../../workers/shared_state.js";
import type { StandaloneResult } from "../pipeline/retrain.js";
import type { ProgressSink } from "../pipeline/sink.js";
import { Nb201Space } from "../nb201/space.js";
import { sampleFunctions } from "../space.js";
import { kendallTauB, spearman } from "../search/ranking.js";

/** How the ground truth is made: which cells, which data, which recipe, how many seeds. */
export interface TruthProtocol {
  cells: number;
  /** Trainings per cell, with seeds 0 .. seeds-1 (initialisation and data order, as `kshot train --seed`). */
  seeds: number;
  /** Seed of the cell sample. */
  sampleSeed: number;
  C: number;
  N: number;
  dataset: DatasetName;
  /** Absolute; absent: the embedded Fashion-MNIST subset, whatever else the machine has, so a table made anywhere is the same table. */
  dataDir?: string;
  trainLimit?: number;
  testLimit?: number;
  recipe: TrainRecipe;
}

export interface TruthRow { arch: string; accs: number[]; mean: number; macs: number; params: number; seconds: number }

/** The noise ceiling: how well one seed's stand-alone accuracies rank the cells of another (means over seed pairs). */
export interface TruthCeiling { kendallTauB: number; spearman: number; pairs: number }

export interface TruthResult { rows: TruthRow[]; ceiling: TruthCeiling | null; trained: number; seconds: number; dataNote: string }

/**
 * `cells` NAS-Bench-201 cells drawn uniformly, one per isomorphism class,
 * without replacement. Draws are sequential, so a larger count extends a
 * smaller one's list.
 */
export function sampleTruthCells(p: Pick<TruthProtocol, "cells" | "sampleSeed" | "C" | "N">, shape: { channels: number; height: number; width: number; classes: number }): string[] {
  const space = new Nb201Space({ C: p.C, N: p.N, inChannels: shape.channels, classes: shape.classes, height: shape.height, width: shape.width });
  return sampleFunctions(space, p.cells, new Rng(p.sampleSeed), { what: "NAS-Bench-201 functions" }).map((g) => space.format(g));
}

export function truthColumns(seeds: number): string[] {
  return ["arch", ...Array.from({ length: seeds }, (_, s) => `acc_seed${s}`), "mean", "macs", "params", "seconds"];
}

/** Reads a ground-truth CSV (`kshot study truth`): every row checked, accuracies in [0, 1]. */
export function readTruth(path: string): TruthRow[] {
  const t = readCsv(path);
  const seedCols = t.columns.filter((c) => /^acc_seed\d+$/.test(c));
  if (seedCols.length === 0) throw new Error(`${path}: no acc_seed0.. columns; not a ground-truth table of 'kshot study truth'`);
  const at = (c: string) => columnIndex(t, c);
  const [iArch, iMean, iMacs, iParams, iSec] = [at("arch"), at("mean"), at("macs"), at("params"), at("seconds")];
  const seen = new Set<string>();
  return t.rows.map((r, line) => {
    const field = (i: number, what: string, lo: number, hi: number) => {
      const s = r[i]!.trim(), v = Number(s);
      if (!(DECIMAL.test(s) && v >= lo && v <= hi)) throw new Error(`${path}: line ${line + 2}: ${what} is '${r[i]}', expected a number in [${lo}, ${hi}]`);
      return v;
    };
    const arch = r[iArch]!.trim();
    if (seen.has(arch)) throw new Error(`${path}: line ${line + 2}: ${arch} appears twice`);
    seen.add(arch);
    return {
      arch, accs: seedCols.map((c) => field(at(c), c, 0, 1)), mean: field(iMean, "mean", 0, 1),
      macs: field(iMacs, "macs", 0, Infinity), params: field(iParams, "params", 0, Infinity), seconds: field(iSec, "seconds", 0, Infinity),
    };
  });
}

function writeTruthCsv(path: string, rows: readonly TruthRow[], seeds: number): void {
  const lines = rows.map((r) => [r.arch, ...r.accs.map((a) => a.toFixed(4)), r.mean.toFixed(4), r.macs, r.params, r.seconds.toFixed(1)].join(","));
  writeFileAtomic(path, `${[truthColumns(seeds).join(","), ...lines].join("\n")}\n`);
}

export function truthCeiling(rows: readonly TruthRow[]): TruthCeiling | null {
  const seeds = rows[0]?.accs.length ?? 0;
  if (seeds < 2 || rows.length < 3) return null;
  let tau = 0, rho = 0, pairs = 0;
  for (let a = 0; a < seeds; a++) {
    for (let b = a + 1; b < seeds; b++) {
      const x = rows.map((r) => r.accs[a]!), y = rows.map((r) => r.accs[b]!);
      tau += kendallTauB(x, y);
      rho += spearman(x, y);
      pairs++;
    }
  }
  return { kendallTauB: tau / pairs, spearman: rho / pairs, pairs };
}

/** The protocol file beside the CSV: what made it, so that a resume cannot mix protocols. */
export function truthMetaPath(csv: string): string {
  return csv.replace(/\.csv$/i, "") + ".json";
}

function journalPath(csv: string): string {
  return `${csv}.partial.jsonl`;
}

interface JournalEntry { arch: string; seed: number; acc: number; macs: number; params: number; seconds: number }

/** Everything but the cell count must match to resume (the sample of a larger count extends the smaller one's). */
function sameProtocol(a: TruthProtocol, b: TruthProtocol): boolean {
  const { cells: _a, ...ra } = a, { cells: _b, ...rb } = b;
  return canonicalJson(ra) === canonicalJson(rb);
}

/** JSON with every object's keys sorted, at every depth: equal values, equal strings. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(",")}]`;
  if (v !== null && typeof v === "object") {
    return `{${Object.keys(v).sort().filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`).join(",")}}`;
  }
  return JSON.stringify(v);
}

/**
 * Finished trainings of an earlier run of the same protocol (complete rows
 * of the CSV and the journal's lines) and the training seconds it recorded.
 */
function finishedTrainings(csv: string, p: TruthProtocol): { done: Map<string, JournalEntry>; trainingSeconds: number } {
  const done = new Map<string, JournalEntry>();
  const metaPath = truthMetaPath(csv);
  if (!existsSync(csv) && !existsSync(journalPath(csv))) return { done, trainingSeconds: 0 };
  if (!existsSync(metaPath)) throw new Error(`${csv} exists without its protocol file ${metaPath}; move it away or pass another --out`);
  const meta = JSON.parse(readFileSync(metaPath, "utf8")) as { protocol: TruthProtocol; trainingSeconds?: number };
  if (!sameProtocol(meta.protocol, p)) {
    throw new Error(`${csv} was made with another protocol (${JSON.stringify(meta.protocol)}); resume with the same flags or pass another --out`);
  }
  if (existsSync(csv)) {
    for (const r of readTruth(csv)) {
      r.accs.forEach((acc, seed) => done.set(`${r.arch}#${seed}`, { arch: r.arch, seed, acc, macs: r.macs, params: r.params, seconds: r.seconds / r.accs.length }));
    }
  }
  if (existsSync(journalPath(csv))) {
    for (const line of readFileSync(journalPath(csv), "utf8").split("\n")) {
      if (line.trim() === "") continue;
      let e: JournalEntry;
      try { e = JSON.parse(line) as JournalEntry; } catch { continue; } // a line cut by a crash: that training runs again
      done.set(`${e.arch}#${e.seed}`, e);
    }
  }
  return { done, trainingSeconds: meta.trainingSeconds ?? 0 };
}

/**
 * Trains every sampled cell `seeds` times stand-alone on a pool of
 * `workers` single-threaded trainers and writes the table to `csv` (and the
 * protocol beside it). Resumes: trainings already in the CSV or in its
 * journal are not run again. The CSV is rewritten, whole, after every
 * finished cell.
 */
export async function runTruth(p: TruthProtocol, csv: string, o: { workers: number; sink: ProgressSink; command?: string }): Promise<TruthResult> {
  const t0 = performance.now();
  const embedded = p.dataDir === undefined && p.dataset === "fashion-mnist";
  const data = loadDataset(p.dataset, embedded ? EMBEDDED_FASHION_MNIST : p.dataDir);
  if (embedded) data.note = "the embedded Fashion-MNIST subset";
  const train = head(data.train, p.trainLimit), test = head(data.test, p.testLimit);
  const archs = sampleTruthCells(p, train);
  const { done: results, trainingSeconds: earlier } = finishedTrainings(csv, p);
  const writeMeta = (seconds: number) => writeFileAtomic(truthMetaPath(csv), `${JSON.stringify({
    protocol: p, data: data.note, trainImages: train.count, testImages: test.count, command: o.command ?? null,
    workers: o.workers, trainingSeconds: Math.round(seconds),
  }, null, 2)}\n`);
  writeMeta(earlier);

  const rowOf = (arch: string): TruthRow | null => {
    const e = Array.from({ length: p.seeds }, (_, s) => results.get(`${arch}#${s}`));
    if (e.some((x) => x === undefined)) return null;
    const accs = e.map((x) => x!.acc);
    return { arch, accs, mean: accs.reduce((a, b) => a + b, 0) / accs.length, macs: e[0]!.macs, params: e[0]!.params, seconds: e.reduce((s, x) => s + x!.seconds, 0) };
  };
  const rows = () => archs.map(rowOf).filter((r): r is TruthRow => r !== null);

  const jobs = archs.flatMap((arch) => Array.from({ length: p.seeds }, (_, seed) => ({ arch, seed }))).filter((j) => !results.has(`${j.arch}#${j.seed}`));
  o.sink.log(`kshot study truth: ${archs.length} cells x ${p.seeds} seeds; ${results.size > 0 ? `${archs.length * p.seeds - jobs.length} trainings already in ${csv}, ` : ""}${jobs.length} to run on ${o.workers} worker(s); ${data.note}, ${train.count} training and ${test.count} test images`);
  if (jobs.length > 0) {
    const pool = new TrainerPool({ train: shareDataset(train), test: shareDataset(test), dataRecipe: DATA_RECIPES[p.dataset], recipe: p.recipe, net: { C: p.C, N: p.N } }, o.workers);
    const started = performance.now();
    let finished = 0, next = 0, failed = false;
    const runJob = async (j: { arch: string; seed: number }) => {
      let r: StandaloneResult;
      try {
        r = await pool.train(j);
      } catch (e) {
        throw new Error(`stand-alone training of ${j.arch} (seed ${j.seed}) failed: ${(e as Error).message}`);
      }
      const entry: JournalEntry = { arch: j.arch, seed: j.seed, acc: r.testAcc, macs: r.macs, params: r.params, seconds: r.seconds };
      appendFileSync(journalPath(csv), `${JSON.stringify(entry)}\n`);
      results.set(`${j.arch}#${j.seed}`, entry);
      if (rowOf(j.arch) !== null) writeTruthCsv(csv, rows(), p.seeds);
      finished++;
      const perJob = (performance.now() - started) / 1000 / finished;
      o.sink.update(`trained ${finished}/${jobs.length}: ${j.arch} seed ${j.seed} test accuracy ${r.testAcc.toFixed(4)} (${r.seconds.toFixed(0)} s); about ${formatMinutes(perJob * (jobs.length - finished))} left`, finished === jobs.length);
    };
    // one job per worker at a time, in list order, so cells finish (and their rows appear) one after another
    const lane = async () => {
      try {
        while (!failed && next < jobs.length) await runJob(jobs[next++]!);
      } catch (e) {
        failed = true;
        throw e;
      }
    };
    try {
      await Promise.all(Array.from({ length: Math.min(o.workers, jobs.length) }, lane));
    } finally {
      await pool.close();
    }
  }
  const all = rows();
  writeTruthCsv(csv, all, p.seeds);
  writeMeta(earlier + (performance.now() - t0) / 1000);
  rmSync(journalPath(csv), { force: true });
  return { rows: all, ceiling: truthCeiling(all), trained: jobs.length, seconds: (performance.now() - t0) / 1000, dataNote: data.note };
}

export function formatMinutes(seconds: number): string {
  return seconds < 90 ? `${Math.round(seconds)} s` : `${(seconds / 60).toFixed(1)} min`;
}
