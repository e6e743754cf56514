import { readFileSync, writeFileSync } from "node:fs";
import { ensureWritableFile } from "../data/files.js";
import { resolve } from "node:path";
import { Rng, tidy } from "../engine/index.js";
import { evaluatePath, recalibrate } from "../nas/supernet/evaluate.js";
import { buildSupernetSession, loadSupernetCheckpoint, type SupernetConfig } from "../nas/supernet/session.js";
import { trainSupernet } from "../app/supernet_stage.js";
import { DEFAULT_SUPERNET_OPTIONS } from "../nas/supernet/trainer.js";
import { SUPERNET_MODES, type SupernetMode } from "../nas/supernet/path_code.js";
import { sampleFunctions } from "../nas/space.js";
import { DATASETS, type DatasetName } from "../train/datasets.js";
import { UsageError, givenFlags, helpText, num, seedNum, optionalNum, parseFlags, type FlagSpecs } from "./args.js";
import { backendFlag, gpuSummary, selectBackend, oversubscribeFlag, selectThreads, threadsFlag } from "./backend.js";
import { Progress } from "./progress.js";

const d = DEFAULT_SUPERNET_OPTIONS;
export const supernetTrainFlags: FlagSpecs = {
  space: { type: "string", help: "search space: nb201 | mbv2", default: "nb201" },
  alternation: { type: "string", help: "kshot mode after warm-up: interleaved (a simplex-net step after every supernet step, on its own batch) or even-odd (Algorithm 2 as written: even batches train the supernet, odd ones the simplex-net)", default: "interleaved" },
  "search-width": { type: "boolean", help: "mbv2: search the 24 width multipliers too (adds r_c to the simplex-net's loss)" },
  C: { type: "string", help: "channels of the first stage", default: "8" },
  N: { type: "string", help: "cells per stage", default: "1" },
  K: { type: "string", help: "weight copies per searchable op", default: "4" },
  mode: { type: "string", help: "kshot | oneshot (K=1) | fixed (lambda=1/K) | random (untrained simplex-net)", default: "kshot" },
  dataset: { type: "string", help: DATASETS.join(" | "), default: "fashion-mnist" },
  "data-dir": { type: "string", help: "directory of the data files (Fashion-MNIST: Debian's path if installed, else the embedded subset); with --resume, where the checkpoint's data now is" },
  "train-limit": { type: "string", help: "use the first N training images (before the validation split)" },
  "val-size": { type: "string", help: "training images held out for path evaluation", default: "1000" },
  epochs: { type: "string", help: "training epochs", default: "4" },
  "warmup-epochs": { type: "string", help: "epochs with lambda = 1/K before the alternation", default: "1" },
  "batch-size": { type: "string", help: "images per step", default: "64" },
  lr: { type: "string", help: "supernet learning rate (cosine to 0)", default: String(d.lr) },
  "simplex-lr": { type: "string", help: "simplex-net learning rate (cosine to 0)", default: String(d.simplexLr) },
  "weight-decay": { type: "string", help: "supernet weight decay", default: String(d.weightDecay) },
  m: { type: "string", help: "paths per simplex-net step (its batch split into m groups, one path each)", default: String(d.m) },
  "simplex-batch": { type: "string", help: "images per simplex-net step: each path sees simplex-batch / m of them", default: String(d.simplexBatch) },
  alpha: { type: "string", help: "weight of the channel regulariser r_c (Eq. 17; 0 turns it off; only with width search)", default: String(d.alpha) },
  tau: { type: "string", help: "temperature of r_c (Eq. 15)", default: String(d.tau) },
  "rc-threshold": { type: "string", help: "L1 width distance under which two paths are a positive pair of r_c", default: String(d.rcThreshold) },
  hidden: { type: "string", help: "simplex-net hidden width", default: "100" },
  seed: { type: "string", help: "seed of everything random", default: "0" },
  out: { type: "string", help: "checkpoint, rewritten after every epoch", default: "runs/supernet.safetensors" },
  resume: { type: "string", help: "continue the run saved in this checkpoint (its own settings; --out still applies)" },
  backend: backendFlag,
  threads: threadsFlag,
  "threads-oversubscribe": oversubscribeFlag,
  json: { type: "boolean", help: "print a JSON summary as the last line of stdout" },
};

export const supernetEvalFlags: FlagSpecs = {
  checkpoint: { type: "string", help: "supernet checkpoint", default: "runs/supernet.safetensors" },
  arch: { type: "string", help: "architecture(s) to evaluate, separated by ';'" },
  "arch-file": { type: "string", help: "file of architectures to evaluate, one per line (for lists too long for one argument)" },
  sample: { type: "string", help: "also evaluate N paths drawn uniformly without replacement, one per function (isomorphic cells count once)", default: "0" },
  seed: { type: "string", help: "seed of the sampled paths", default: "0" },
  recalibrate: { type: "string", help: "instead of batch statistics, recalibrate BN running statistics on N training batches per path (SPOS; nb201)" },
  json: { type: "boolean", help: "print one JSON object per path" },
  csv: { type: "string", help: "also write arch,val_acc,mflops,params,macs,lambda rows to this CSV file (kshot rank reads it)" },
  "data-dir": { type: "string", help: "the data directory, where the one the checkpoint records has moved or is gone (the same data: the held-out split is drawn from it)" },
};

const help = `usage: kshot supernet <train|eval> [options]

  train   train a K-shot supernet and its simplex-net (warm-up, then Algorithm 2)
  eval    accuracy and lambda of paths on the validation split (batch-statistic BN)

Run 'kshot supernet train --help' or 'kshot supernet eval --help' for options.
`;

export async function supernetCommand(argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub === "train") return supernetTrain(rest);
  if (sub === "eval") return supernetEval(rest);
  if (sub === undefined || sub === "--help" || sub === "-h") { process.stdout.write(help); return; }
  throw new UsageError(`kshot supernet: unknown subcommand '${sub}' (train, eval)`);
}

async function supernetTrain(argv: string[]): Promise<void> {
  const cmd = "kshot supernet train";
  const f = parseFlags(cmd, argv, supernetTrainFlags);
  if (f.help) {
    process.stdout.write(helpText(`usage: ${cmd} [options]`, "Trains a K-shot supernet, checkpointing every epoch; --resume continues exactly.", supernetTrainFlags));
    return;
  }
  const progress = new Progress();
  const out = String(f.out);
  ensureWritableFile(out, "--out");
  const backend = await selectBackend(cmd, f.backend);
  const threads = selectThreads(cmd, f.threads, f["threads-oversubscribe"] === true);
  let session;
  if (f.resume !== undefined) {
    // the run's settings are the checkpoint's; only these may be given beside --resume
    const allowed = new Set(["resume", "epochs", "out", "backend", "threads", "threads-oversubscribe", "json", "data-dir"]);
    const stray = [...givenFlags(argv)].find((n) => !allowed.has(n));
    if (stray !== undefined) {
      throw new UsageError(`${cmd}: --${stray} cannot be given with --resume: the run's settings come from its checkpoint (only --epochs, to extend it, and --out, --backend, --threads, --json, --data-dir apply)`);
    }
    session = loadSupernetCheckpoint(String(f.resume), { resume: true, dataDir: optionalPath(f["data-dir"]) });
    if (givenFlags(argv).has("epochs")) {
      const epochs = num(cmd, "epochs", f.epochs, { integer: true, min: 1 });
      if (epochs < session.trainer.epoch) throw new UsageError(`${cmd}: --epochs ${epochs} is below the ${session.trainer.epoch} epoch(s) ${f.resume} has done`);
      session.config.epochs = epochs; // the cosine schedule follows the new length from the current step on
    }
    if (session.trainer.epoch >= session.config.epochs) {
      throw new UsageError(`${cmd}: ${f.resume} has done all ${session.config.epochs} epoch(s); give --epochs with more to extend it`);
    }
    progress.log(`${cmd}: resuming ${f.resume} after epoch ${session.trainer.epoch} of ${session.config.epochs}`);
  } else {
    if (f.space !== "nb201" && f.space !== "mbv2") throw new UsageError(`${cmd}: --space expects nb201 or mbv2, received '${String(f.space)}'`);
    if (!(SUPERNET_MODES as readonly string[]).includes(String(f.mode))) throw new UsageError(`${cmd}: --mode expects one of ${SUPERNET_MODES.join(", ")}, received '${String(f.mode)}'`);
    const mode = f.mode as SupernetMode;
    const K = num(cmd, "K", f.K, { integer: true, min: 1 });
    if (mode === "oneshot" && K !== 1) throw new UsageError(`${cmd}: --mode oneshot means --K 1`);
    if (f.space === "nb201" && f["search-width"] === true) throw new UsageError(`${cmd}: --search-width does not apply with --space nb201 (its cells have no width choices; --space mbv2 has)`);
    const config: SupernetConfig = {
      ...d, space: f.space as "nb201" | "mbv2", searchWidth: f["search-width"] === true, mode, K,
      C: num(cmd, "C", f.C, { integer: true, min: 1 }), N: num(cmd, "N", f.N, { integer: true, min: 1 }),
      // absolute, so the checkpoint works from any working directory
      dataset: String(f.dataset) as DatasetName, dataDir: f["data-dir"] === undefined ? undefined : resolve(String(f["data-dir"])),
      trainLimit: optionalNum(cmd, "train-limit", f["train-limit"], { integer: true, min: 2 }),
      valSize: num(cmd, "val-size", f["val-size"], { integer: true, min: 1 }),
      epochs: num(cmd, "epochs", f.epochs, { integer: true, min: 1 }),
      warmupEpochs: num(cmd, "warmup-epochs", f["warmup-epochs"], { integer: true, min: 0 }),
      batchSize: num(cmd, "batch-size", f["batch-size"], { integer: true, min: 1 }),
      lr: num(cmd, "lr", f.lr, { min: 0 }), simplexLr: num(cmd, "simplex-lr", f["simplex-lr"], { min: 0 }),
      weightDecay: num(cmd, "weight-decay", f["weight-decay"], { min: 0 }),
      m: num(cmd, "m", f.m, { integer: true, min: 1 }), simplexBatch: num(cmd, "simplex-batch", f["simplex-batch"], { integer: true, min: 1 }),
      alpha: num(cmd, "alpha", f.alpha, { min: 0 }), tau: num(cmd, "tau", f.tau, { min: Number.MIN_VALUE }),
      rcThreshold: num(cmd, "rc-threshold", f["rc-threshold"], { min: 0 }),
      hidden: num(cmd, "hidden", f.hidden, { integer: true, min: 1 }),
      seed: seedNum(cmd, f.seed),
    };
    if (config.simplexBatch < config.m) throw new UsageError(`${cmd}: --simplex-batch ${config.simplexBatch} gives fewer than one image to each of --m ${config.m} paths`);
    if (config.warmupEpochs > config.epochs) throw new UsageError(`${cmd}: --warmup-epochs ${config.warmupEpochs} exceeds --epochs ${config.epochs}`);
    if (f.alternation === "even-odd") {
      if (mode !== "kshot") throw new UsageError(`${cmd}: --alternation does not apply with --mode ${mode} (only kshot trains the simplex-net)`);
      config.alternation = "even-odd"; // absent for interleaved: checkpoints of either kind of kshot before the flag stay valid
    } else if (f.alternation !== "interleaved") throw new UsageError(`${cmd}: --alternation expects interleaved or even-odd, received '${String(f.alternation)}'`);
    session = buildSupernetSession(config);
    progress.log(`${cmd}: ${session.dataNote}; ${session.train.count} training and ${session.val.count} validation images`);
  }
  const c = session.config;
  progress.log(`${cmd}: ${c.space === "nb201" ? `nb201 C=${c.C} N=${c.N}` : `mbv2${c.searchWidth ? " with width search" : ""}`}, K=${c.K}, mode ${c.mode}, ${c.epochs} epochs (${c.warmupEpochs} warm-up), ${session.supernet.numParameters()} supernet parameters, ${backend} backend, ${threads} CPU thread(s)`);
  const reports = await trainSupernet(session, out, progress);
  const gpu = gpuSummary();
  if (gpu !== null) progress.log(`${cmd}: ${gpu}`);
  process.stdout.write(`trained ${reports.length} epoch(s); checkpoint ${out}\n`);
  if (f.json) {
    process.stdout.write(`${JSON.stringify({ checkpoint: out, backend, epochs: session.trainer.epoch, supernetLoss: reports.map((r) => r.supernetLoss),
      simplexLoss: reports.map((r) => r.simplexLoss), seconds: reports.map((r) => r.seconds) })}\n`);
  }
}

async function supernetEval(argv: string[]): Promise<void> {
  const cmd = "kshot supernet eval";
  const f = parseFlags(cmd, argv, supernetEvalFlags);
  if (f.help) {
    process.stdout.write(helpText(`usage: ${cmd} [options]`, "Prints the validation accuracy and lambda of paths of a trained supernet.", supernetEvalFlags));
    return;
  }
  // every flag before the checkpoint is loaded
  const sample = num(cmd, "sample", f.sample, { integer: true, min: 0 });
  const rng = new Rng(seedNum(cmd, f.seed));
  const recal = optionalNum(cmd, "recalibrate", f.recalibrate, { integer: true, min: 1 });
  const texts = f.arch === undefined ? [] : String(f.arch).split(";");
  if (f["arch-file"] !== undefined) texts.push(...readLines(cmd, String(f["arch-file"])));
  const csv = f.csv === undefined ? undefined : String(f.csv);
  if (csv !== undefined) ensureWritableFile(csv, "--csv");
  const session = loadSupernetCheckpoint(String(f.checkpoint), { dataDir: optionalPath(f["data-dir"]) });
  const paths: number[][] = [];
  for (const s of texts.filter((x) => x.trim() !== "")) {
    try { paths.push(session.space.parse(s.trim())); } catch (e) { throw new UsageError(`${cmd}: ${(e as Error).message}`); }
  }
  const left = session.space.distinctFunctions - new Set(paths.map((g) => session.space.functionKey(g))).size;
  if (sample > left) throw new UsageError(`${cmd}: --sample ${sample} asks for more than the ${left} distinct functions left in the space`);
  paths.push(...sampleFunctions(session.space, sample, rng, { exclude: paths }));
  if (paths.length === 0) throw new UsageError(`${cmd}: give --arch, --arch-file or --sample`);
  const rows: string[] = ["arch,val_acc,mflops,params,macs,lambda"];
  for (const genes of paths) {
    const { acc, lambda } = tidy(() => {
      const code = session.trainer.code(genes, false);
      if (recal !== undefined) recalibrate(session.supernet, genes, code, session.train, session.recipe, recal);
      const acc = evaluatePath(session.supernet, genes, code, session.val, session.recipe, 256, recal === undefined ? "batch-stats" : "running");
      return { acc, lambda: [...code.dataSync()] };
    });
    const arch = session.space.format(genes), cost = session.space.cost(genes);
    rows.push(`"${arch}",${acc},${cost.nb201Mflops},${cost.params},${cost.macs},"${lambda.join(" ")}"`);
    if (f.json) process.stdout.write(`${JSON.stringify({ arch, valAcc: acc, lambda, params: cost.params, macs: cost.macs, mflops: cost.nb201Mflops })}\n`);
    else process.stdout.write(`${acc.toFixed(4)}  lambda [${lambda.map((v) => v.toFixed(3)).join(", ")}]  ${arch}\n`);
  }
  if (csv !== undefined) writeFileSync(csv, `${rows.join("\n")}\n`);
}

/** Non-empty lines of a file of architectures. */
function readLines(cmd: string, path: string): string[] {
  try {
    return readFileSync(path, "utf8").split(/\r?\n/).filter((l) => l.trim() !== "");
  } catch (e) {
    throw new UsageError(`${cmd}: --arch-file ${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

const optionalPath = (v: string | boolean | undefined): string | undefined => (typeof v === "string" ? v : undefined);
