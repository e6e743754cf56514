import { appendFileSync, existsSync, readFileSync, rmSync } from "node:fs";
import { readJournal, writeFileAtomic } from "../data/files.js";
import { canonicalJson, differingFields } from "../data/run_dir.js";
import { head } from "../data/dataset.js";
import { DATA_RECIPES, EMBEDDED_FASHION_MNIST, loadDataset } from "../train/datasets.js";
import type { StandaloneResult } from "../nas/standalone.js";
import { readTruth, sampleTruthCells, truthCeiling, truthMetaPath, writeTruthCsv, type TruthProtocol, type TruthResult, type TruthRow } from "../nas/study/truth.js";
import { StandalonePool } from "../workers/standalone_pool.js";
import { runLanes } from "../workers/lanes.js";
import { shareDataset } from "../workers/shared_state.js";
import { formatMinutes, type ProgressSink } from "../nas/progress.js";

function journalPath(csv: string): string {
  return `${csv}.partial.jsonl`;
}

interface JournalEntry { arch: string; seed: number; acc: number; macs: number; params: number; seconds: number }

/** Everything but the cell count must match to resume (the sample of a larger count extends the smaller one's). */
function sameProtocol(a: TruthProtocol, b: TruthProtocol): boolean {
  const { cells: _a, ...ra } = a, { cells: _b, ...rb } = b;
  return canonicalJson(ra) === canonicalJson(rb);
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
    throw new Error(`${csv} was made with another protocol (${differingFields({ ...meta.protocol, cells: 0 }, { ...p, cells: 0 }).join("; ")}); resume with the same flags and kernel set (KSHOT_KERNELS) or pass another --out`);
  }
  if (existsSync(csv)) {
    for (const r of readTruth(csv)) {
      r.accs.forEach((acc, seed) => done.set(`${r.arch}#${seed}`, { arch: r.arch, seed, acc, macs: r.macs, params: r.params, seconds: r.seconds / r.accs.length }));
    }
  }
  for (const e of readJournal<JournalEntry>(journalPath(csv))) done.set(`${e.arch}#${e.seed}`, e);
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
    const pool = new StandalonePool({ train: shareDataset(train), test: shareDataset(test), dataRecipe: DATA_RECIPES[p.dataset], recipe: p.recipe, net: { C: p.C, N: p.N } }, o.workers);
    const started = performance.now();
    let finished = 0;
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
    try {
      await runLanes(jobs, o.workers, runJob);
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
