import { availableParallelism } from "node:os";
import { kernelSet } from "../engine/index.js";
import { clearMainJobStages, runMainJob, type MainJobOptions } from "../app/main_job.js";
import { COMMITTED_TRUTH_NAME, packageFile } from "../data/package_files.js";
import { DEFAULT_SUPERNET_OPTIONS } from "../nas/supernet/trainer.js";
import { UsageError, givenFlags, helpText, num, parseFlags, refuseFlags, seedNum, type FlagSpecs } from "./args.js";
import { claimRunDir } from "../data/run_dir.js";
import { backendFlag, gpuSummary, selectBackend, oversubscribeFlag, selectThreads, threadsFlag } from "./backend.js";
import { executorSpec, executorFlags } from "./executor_flags.js";
import { Progress } from "./progress.js";
import { printFront } from "./search.js";
import { retrainVerdict, truthStandingLine, unitWord, writeRunReport } from "../report/run_report.js";
import type { ExecutorSpec, QueueSpec } from "../workers/executor.js";

/** The default bound per space: NAS-Bench-201's 5 MFLOPs; the MobileNetV2 mini's 7, at the same share of random networks (about 35%) as the paper's 420 MFLOPs in the ImageNet space. */
const DEFAULT_MAX_MFLOPS = { nb201: "5", mbv2: "7" } as const;

export const mainFlags: FlagSpecs = {
  space: { type: "string", help: "nb201 (NAS-Bench-201 cells, C=8 N=1) | mbv2 (the MobileNetV2 space's mini macro; docs/mbv2-mini.md)", default: "nb201" },
  "search-width": { type: "boolean", help: "mbv2: search the 24 width multipliers too (the simplex-net's channel branch and r_c)" },
  epochs: { type: "string", help: "supernet training epochs (the first is warm-up)", default: "36" },
  "train-limit": { type: "string", help: "embedded training images used by the supernet (before the validation split)", default: "4500" },
  "val-size": { type: "string", help: "of which held out to score paths", default: "500" },
  K: { type: "string", help: "weight copies per searchable op", default: "4" },
  "batch-size": { type: "string", help: "supernet images per step", default: "64" },
  lr: { type: "string", help: "supernet learning rate (SGD, Nesterov momentum 0.9, cosine to 0)", default: String(DEFAULT_SUPERNET_OPTIONS.lr) },
  evaluations: { type: "string", help: "architectures (distinct functions) the search evaluates", default: "200" },
  population: { type: "string", help: "NSGA-II population", default: "20" },
  "max-mflops": { type: "string", help: `hard FLOPs bound of the search (NAS-Bench-201 convention; default nb201 ${DEFAULT_MAX_MFLOPS.nb201}, mbv2 ${DEFAULT_MAX_MFLOPS.mbv2})` },
  baselines: { type: "string", help: "random cells under the bound trained stand-alone beside the chosen one", default: "2" },
  "retrain-epochs": { type: "string", help: "epochs of each stand-alone training (the kshot train recipe; default: the committed truth's)", default: "5" },
  "retrain-images": { type: "string", help: "embedded training images of each stand-alone training (default: the committed truth's)", default: "4000" },
  "retrain-seeds": { type: "string", help: "trainings per retrained cell (seeds --seed, --seed + 1, ..), their mean its accuracy (default: the committed truth's)", default: "2" },
  truth: { type: "string", help: `ground-truth table of 'kshot study truth': where the pick stands among its cells under the bound, when the retraining follows its protocol (default: the committed one, ${COMMITTED_TRUTH_NAME}; 'none': no comparison)` },
  workers: { type: "string", help: "evaluation worker threads", default: String(availableParallelism()) },
  seed: { type: "string", help: "seed of everything random", default: "0" },
  out: { type: "string", help: "run directory: checkpoint, front, summary.json, report.html", default: "runs/main" },
  backend: { ...backendFlag, help: `backend of the trainings (the search evaluates on the CPU workers): ${backendFlag.help}` },
  threads: { ...threadsFlag, help: `CPU kernel threads of the trainings; the search's workers run one each: ${threadsFlag.help}` },
  "threads-oversubscribe": oversubscribeFlag,
  ...executorFlags,
  quick: { type: "boolean", help: "the whole pipeline on a small budget, to see it work; flags given override it. nb201: about a minute (6 epochs on 2,000 images, 30 evaluations, 2 random cells, retraining 2 epochs on 2,000 images; out runs/quick); mbv2: about a quarter of an hour (10 epochs on 4,500 images, 30 evaluations, 2 random networks, retraining 4 epochs on 4,000 images; out runs/quick-mbv2)" },
  force: { type: "boolean", help: "write into --out even if it holds another command's results or other settings' (by default a rerun with the same settings resumes, and anything else is refused)" },
  json: { type: "boolean", help: "print the summary (the pick, its accuracy, the random cells', the front) as JSON on the last line" },
};

/**
 * --quick: the whole pipeline on a small budget, to see it work: about a
 * minute on 2 cores for NAS-Bench-201; for the MobileNetV2 space about a
 * quarter of an hour, as its supernet needs some 500 steps to leave chance
 * (docs/mbv2-mini.md) and its networks several epochs to tell apart.
 */
export const QUICK: Record<"nb201" | "mbv2", Record<string, string>> = {
  nb201: {
    epochs: "6", "train-limit": "2000", "val-size": "400", evaluations: "30", population: "10", baselines: "2",
    "retrain-epochs": "2", "retrain-images": "2000", "retrain-seeds": "1", out: "runs/quick",
  },
  mbv2: {
    epochs: "10", "train-limit": "4500", "val-size": "500", evaluations: "30", population: "10", baselines: "2",
    "retrain-epochs": "4", "retrain-images": "4000", "retrain-seeds": "1", out: "runs/quick-mbv2",
  },
};

/** `kshot run` (`npm start`): the main job (nas/pipeline/main_job.ts) with its flags, its front and its proof printed. */
export async function mainJobCommand(argv: string[]): Promise<void> {
  const cmd = "kshot run";
  const f = parseFlags(cmd, argv, mainFlags);
  if (f.help) {
    process.stdout.write(helpText(`usage: ${cmd} [options]`,
      "The main job: trains a K-shot supernet on the embedded data, searches it under a FLOPs bound, then trains\nthe chosen network and random ones under the same bound stand-alone, and writes a report.", mainFlags));
    return;
  }
  const space = String(f.space);
  if (space !== "nb201" && space !== "mbv2") throw new UsageError(`${cmd}: --space expects nb201 or mbv2, received '${space}'`);
  if (f.quick) {
    const given = new Set(argv.filter((a) => a.startsWith("--")).map((a) => a.slice(2).split("=")[0]!));
    for (const [name, value] of Object.entries(QUICK[space])) if (!given.has(name)) f[name] = value;
  }
  const int = (name: string, min: number) => num(cmd, name, f[name], { integer: true, min });
  const given = givenFlags(argv);
  if (space === "nb201") refuseFlags(cmd, given, ["search-width"], "--space nb201");
  else refuseFlags(cmd, given, ["truth"], "--space mbv2 (the truth tables hold NAS-Bench-201 cells)");
  const options: MainJobOptions = {
    out: String(f.out), seed: seedNum(cmd, f.seed),
    ...(space === "mbv2" ? { space, searchWidth: f["search-width"] === true } : {}),
    K: int("K", 1), epochs: int("epochs", 1), trainLimit: int("train-limit", 2), valSize: int("val-size", 1), batchSize: int("batch-size", 1),
    lr: num(cmd, "lr", f.lr, { min: 0 }),
    workers: int("workers", 1), queue: queueSpec(executorSpec(cmd, f, int("workers", 1), givenFlags(argv))), populationSize: int("population", 2), evaluations: int("evaluations", 1),
    maxMflops: num(cmd, "max-mflops", f["max-mflops"] ?? DEFAULT_MAX_MFLOPS[space], { min: 0 }),
    baselines: int("baselines", 1), retrainEpochs: int("retrain-epochs", 1), retrainImages: int("retrain-images", 1),
    retrainSeeds: int("retrain-seeds", 1),
    ...(f.truth === "none" || space === "mbv2" ? {} : { truth: f.truth === undefined ? packageFile(COMMITTED_TRUTH_NAME) : String(f.truth) }),
  };
  if (options.valSize >= options.trainLimit) throw new UsageError(`${cmd}: --val-size ${options.valSize} leaves no training images of --train-limit ${options.trainLimit}`);
  const threads = selectThreads(cmd, f.threads, f["threads-oversubscribe"] === true);
  const backend = await selectBackend(cmd, f.backend);
  // results depend on these, not on where or on how many threads they are computed
  const { out: _out, workers: _workers, queue: _queue, ...settings } = options;
  const claim = claimRunDir(options.out, { command: cmd, settings: { ...settings, backend, kernels: kernelSet() } }, { force: f.force === true, flag: "--out" });
  if (claim === "new") clearMainJobStages(options.out); // what another command or other settings left there must not be resumed
  const progress = new Progress();
  progress.log(`${cmd}: ${backend} backend, ${threads} CPU thread(s), run directory ${options.out}${claim === "resume" ? " (a run of the same settings: resuming it)" : ""}`);
  const s = await runMainJob(options, progress);
  writeRunReport(options.out);
  const gpu = gpuSummary();
  if (gpu !== null) progress.log(`${cmd}: ${gpu}`);
  printFront(s.search);
  const r = s.retrain;
  const unit = unitWord(s.supernet.config);
  process.stdout.write(`stand-alone (${r.trainImages} images, ${r.recipe.epochs} epochs, tested on ${r.testImages}): chosen ${r.chosen.testAcc.toFixed(4)}; ` +
    `random ${unit}s under the bound ${r.baseline.map((b) => b.testAcc.toFixed(4)).join(" / ")} (mean ${r.baselineMean.toFixed(4)})\n`);
  const trainings = r.chosen.accs.length === 1 ? `one training per ${unit}` : `the mean of ${r.chosen.accs.length} trainings per ${unit}`;
  // the seed-to-seed spread measured for NAS-Bench-201 cells; none is measured for the MobileNetV2 space's recipe
  process.stdout.write(`the chosen ${unit} is ${retrainVerdict(r, unit)}; ${trainings}` + (unit === "cell"
    ? ", so a difference of about a point is within seed-to-seed noise (the rank study's truth: 0.011 between two seeds of a cell on average)\n"
    : "; compare several seeds (--retrain-seeds) before reading a difference of a point or less\n"));
  const standing = truthStandingLine(r.truth);
  if (standing !== null) process.stdout.write(`${standing}\n`);
  process.stdout.write(`${Math.round(s.seconds)} s; summary.json and report.html in ${options.out}/\n`);
  if (f.json) {
    process.stdout.write(`${JSON.stringify({
      out: options.out, chosen: { arch: r.chosen.arch, testAcc: r.chosen.testAcc, mflops: s.search.best.mflops, supernetAcc: s.search.best.acc },
      baseline: r.baseline.map((b) => ({ arch: b.arch, testAcc: b.testAcc })), baselineMean: r.baselineMean,
      percentile: r.truth?.chosenPercentile ?? null, baselinePercentiles: r.truth?.baselinePercentiles ?? null,
      evaluations: s.search.evaluations, frontSize: s.search.front.length, seconds: s.seconds,
    })}\n`);
  }
}

/** The queue of an executor spec; none for this machine's pool (whose size is --workers). */
function queueSpec(spec: ExecutorSpec): QueueSpec | undefined {
  if (spec.kind === "local") return undefined;
  const { kind: _, ...queue } = spec;
  return queue;
}
