import { availableParallelism } from "node:os";
import { resolve } from "node:path";
import { kernelSet } from "../engine/index.js";
import { ensureWritableFile } from "../data/files.js";
import { STANDALONE_RECIPE } from "../nas/standalone.js";
import { formatMinutes } from "../nas/progress.js";
import type { TruthProtocol } from "../nas/study/truth.js";
import { runTruth } from "../app/truth.js";
import { DATASETS, type DatasetName } from "../train/datasets.js";
import { UsageError, helpText, num, parseFlags, seedNum, type FlagSpecs } from "./args.js";
import { Progress } from "./progress.js";
import { studyRank } from "./study_rank.js";
import { studyAblation } from "./study_ablation.js";

/** The ground truth's protocol (docs/rank-study.md explains the choice). */
export const TRUTH_DEFAULTS = { cells: 48, seeds: 2, trainLimit: 4000, epochs: 5 } as const;

export const truthFlags: FlagSpecs = {
  cells: { type: "string", help: "NAS-Bench-201 cells, one per isomorphism class, drawn without replacement", default: String(TRUTH_DEFAULTS.cells) },
  seeds: { type: "string", help: "trainings per cell (seeds 0, 1, ...); the mean is the truth, seed against seed its noise ceiling", default: String(TRUTH_DEFAULTS.seeds) },
  seed: { type: "string", help: "seed of the cell sample", default: "0" },
  C: { type: "string", help: "channels of the first stage", default: "8" },
  N: { type: "string", help: "cells per stage", default: "1" },
  dataset: { type: "string", help: DATASETS.join(" | "), default: "fashion-mnist" },
  "data-dir": { type: "string", help: "directory of the data files (default: the embedded Fashion-MNIST subset, on every machine)" },
  "train-limit": { type: "string", help: "train on the first N training images", default: String(TRUTH_DEFAULTS.trainLimit) },
  "test-limit": { type: "string", help: "evaluate on the first N test images (default: all)" },
  epochs: { type: "string", help: "epochs of each training", default: String(TRUTH_DEFAULTS.epochs) },
  "batch-size": { type: "string", help: "images per step", default: String(STANDALONE_RECIPE.batchSize) },
  lr: { type: "string", help: "initial learning rate (cosine to 0 per step)", default: String(STANDALONE_RECIPE.lr) },
  workers: { type: "string", help: "trainings at a time, one CPU thread each", default: String(availableParallelism()) },
  out: { type: "string", help: "ground-truth CSV (its protocol goes beside it as .json); an existing one is resumed", default: "runs/study/truth.csv" },
  json: { type: "boolean", help: "print {\"out\", \"cells\", \"trained\", \"seconds\", \"ceiling\"} as JSON on the last line" },
};

const help = `usage: kshot study <truth|rank|ablation> [options]

  truth     train a sample of NAS-Bench-201 cells stand-alone: the ground truth of a rank study
  rank      train supernets per mode and K, score the truth's cells on them, and rank against the truth
  ablation  the paper's Table 5 in miniature on the MobileNetV2 space: six supernet methods, their picks retrained

Run 'kshot study truth --help', 'kshot study rank --help' or 'kshot study ablation --help' for options.
`;

export async function studyCommand(argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub === "truth") return studyTruth(rest);
  if (sub === "rank") return studyRank(rest);
  if (sub === "ablation") return studyAblation(rest);
  if (sub === undefined || sub === "--help" || sub === "-h") { process.stdout.write(help); return; }
  throw new UsageError(`kshot study: unknown subcommand '${sub}' (truth, rank, ablation)`);
}

async function studyTruth(argv: string[]): Promise<void> {
  const cmd = "kshot study truth";
  const f = parseFlags(cmd, argv, truthFlags);
  if (f.help) {
    process.stdout.write(helpText(`usage: ${cmd} [options]`,
      "Trains a seeded sample of NAS-Bench-201 cells stand-alone (the kshot train recipe), several seeds each, in parallel,\nand writes arch, accuracy per seed, mean, MACs, params, seconds. Resumes: finished trainings are not run again.", truthFlags));
    return;
  }
  const dataset = String(f.dataset);
  if (!(DATASETS as readonly string[]).includes(dataset)) throw new UsageError(`${cmd}: --dataset expects one of ${DATASETS.join(", ")}, received '${dataset}'`);
  const p: TruthProtocol = {
    cells: num(cmd, "cells", f.cells, { integer: true, min: 3 }),
    seeds: num(cmd, "seeds", f.seeds, { integer: true, min: 1, max: 100 }),
    sampleSeed: seedNum(cmd, f.seed),
    C: num(cmd, "C", f.C, { integer: true, min: 1 }), N: num(cmd, "N", f.N, { integer: true, min: 1 }),
    dataset: dataset as DatasetName,
    ...(f["data-dir"] === undefined ? {} : { dataDir: resolve(String(f["data-dir"])) }),
    ...(f["train-limit"] === undefined ? {} : { trainLimit: num(cmd, "train-limit", f["train-limit"], { integer: true, min: 1 }) }),
    ...(f["test-limit"] === undefined ? {} : { testLimit: num(cmd, "test-limit", f["test-limit"], { integer: true, min: 1 }) }),
    recipe: {
      ...STANDALONE_RECIPE,
      epochs: num(cmd, "epochs", f.epochs, { integer: true, min: 1 }),
      batchSize: num(cmd, "batch-size", f["batch-size"], { integer: true, min: 1 }),
      lr: num(cmd, "lr", f.lr, { min: 0 }),
    },
    ...(kernelSet() === "fma" ? { kernels: "fma" as const } : {}), // absent for plain SIMD, so that tables made before the FMA kernels extend
  };
  const workers = num(cmd, "workers", f.workers, { integer: true, min: 1 });
  const out = String(f.out);
  ensureWritableFile(out, "--out");
  const progress = new Progress();
  const r = await runTruth(p, out, { workers, sink: progress, command: `kshot study truth ${argv.join(" ")}`.trim() });
  const accs = r.rows.map((x) => x.mean);
  process.stdout.write(`${r.rows.length} cells in ${out}: mean stand-alone test accuracy from ${Math.min(...accs).toFixed(4)} to ${Math.max(...accs).toFixed(4)}; ${r.trained} trainings in ${formatMinutes(r.seconds)}\n`);
  if (r.ceiling !== null) {
    process.stdout.write(`noise ceiling (seed against seed, ${r.ceiling.pairs} pair(s)): Kendall tau-b ${r.ceiling.kendallTauB.toFixed(3)}, Spearman ${r.ceiling.spearman.toFixed(3)}\n`);
  } else {
    process.stdout.write("noise ceiling: needs --seeds 2 or more\n");
  }
  if (f.json) process.stdout.write(`${JSON.stringify({ out, cells: r.rows.length, trained: r.trained, seconds: r.seconds, ceiling: r.ceiling })}\n`);
}
