import { studyFollows, studyTable, studyVerdicts, writeStudyReport } from "../report/study_report.js";
import type { RankStudyProtocol, StudyBudget, StudyRun } from "../nas/study/statistics.js";
import { runRankStudy } from "../app/rank_study.js";
import { formatMinutes } from "../nas/progress.js";
import { readTruth } from "../nas/study/truth.js";
import { DEFAULT_SUPERNET_OPTIONS } from "../nas/supernet/trainer.js";
import { SUPERNET_MODES, type SupernetMode } from "../nas/supernet/path_code.js";
import { claimRunDir } from "../data/run_dir.js";
import { UsageError, helpText, num, parseFlags, type FlagSpecs } from "./args.js";
import { oversubscribeFlag, selectThreads, threadsFlag } from "./backend.js";
import { Progress } from "./progress.js";
import { COMMITTED_TRUTH_NAME, packageFile } from "../data/package_files.js";
import { availableParallelism } from "node:os";
import { kernelSet } from "../engine/index.js";
import { resolve } from "node:path";
import { existsSync } from "node:fs";


interface Preset { seeds: number; epochs: number; K: string; trainLimit: number }
/** The full study, and --quick: fewer seeds and epochs, sized to finish within 30 minutes on 2 cores. */
export const STUDY_PRESETS: Record<"full" | "quick", Preset> = {
  full: { seeds: 5, epochs: 30, K: "1,2,4,8", trainLimit: 10000 },
  quick: { seeds: 2, epochs: 10, K: "2,4,8", trainLimit: 4000 },
};

export const studyRankFlags: FlagSpecs = {
  truth: { type: "string", help: `ground-truth CSV of 'kshot study truth' (default: the committed one, ${COMMITTED_TRUTH_NAME})` },
  quick: { type: "boolean", help: `the quick study: ${STUDY_PRESETS.quick.seeds} seeds, ${STUDY_PRESETS.quick.epochs} epochs, K ${STUDY_PRESETS.quick.K}, ${STUDY_PRESETS.quick.trainLimit} images (flags given override it)` },
  modes: { type: "string", help: "comma-separated runs: oneshot, fixed, random, kshot", default: "oneshot,fixed,random,kshot" },
  K: { type: "string", help: `K values of the kshot runs (default ${STUDY_PRESETS.full.K}; quick ${STUDY_PRESETS.quick.K})` },
  "baseline-K": { type: "string", help: "K of the fixed and random runs", default: "4" },
  seeds: { type: "string", help: `seeds 0 .. S-1, each a full set of runs (default ${STUDY_PRESETS.full.seeds}; quick ${STUDY_PRESETS.quick.seeds})` },
  epochs: { type: "string", help: `supernet epochs of every run (default ${STUDY_PRESETS.full.epochs}; quick ${STUDY_PRESETS.quick.epochs})` },
  "warmup-epochs": { type: "string", help: "of which with lambda = 1/K", default: "1" },
  "train-limit": { type: "string", help: `embedded training images (before the held-out split) (default ${STUDY_PRESETS.full.trainLimit}; quick ${STUDY_PRESETS.quick.trainLimit})` },
  "val-size": { type: "string", help: "of which held out to score the cells", default: "1000" },
  "batch-size": { type: "string", help: "supernet images per step", default: "64" },
  lr: { type: "string", help: "supernet learning rate", default: String(DEFAULT_SUPERNET_OPTIONS.lr) },
  "simplex-lr": { type: "string", help: "simplex-net learning rate", default: String(DEFAULT_SUPERNET_OPTIONS.simplexLr) },
  m: { type: "string", help: "paths per simplex-net step", default: String(DEFAULT_SUPERNET_OPTIONS.m) },
  "simplex-batch": { type: "string", help: "images per simplex-net step", default: String(DEFAULT_SUPERNET_OPTIONS.simplexBatch) },
  hidden: { type: "string", help: "simplex-net hidden width", default: "100" },
  out: { type: "string", help: "study directory: study.json, supernet checkpoints, report.html; an existing one is resumed", default: "runs/study" },
  json: { type: "boolean", help: "print {\"out\", \"report\", \"summary\", \"ceiling\"} as JSON on the last line (undefined statistics as null)" },
  alternation: { type: "string", help: "after warm-up: interleaved (a simplex-net step after every supernet step, on its own batch) or even-odd (Algorithm 2 as written: even batches train the supernet, odd ones the simplex-net)", default: "interleaved" },
  "score-every": { type: "string", help: "also score the truth's cells every N training batches along each run: tau against training, plotted in tau_vs_steps.svg (0: only at the end)", default: "0" },
  "data-dir": { type: "string", help: "Fashion-MNIST IDX directory the supernets train and score on, e.g. /usr/share/datasets/fashion-mnist from Debian's dataset-fashion-mnist (default: the embedded subset, 10,000 training images)" },
  workers: { type: "string", help: "study runs at a time, one CPU thread each; results are the same bits as one at a time (1: one run at a time on --threads threads)", default: String(availableParallelism()) },
  threads: { ...threadsFlag, help: `${threadsFlag.help}; only with --workers 1` },
  "threads-oversubscribe": oversubscribeFlag,
};

function list(cmd: string, name: string, v: unknown): string[] {
  const items = String(v).split(",").map((s) => s.trim()).filter((s) => s !== "");
  if (items.length === 0) throw new UsageError(`${cmd}: --${name} is empty`);
  return items;
}

export async function studyRank(argv: string[]): Promise<void> {
  const cmd = "kshot study rank";
  const f = parseFlags(cmd, argv, studyRankFlags);
  if (f.help) {
    process.stdout.write(helpText(`usage: ${cmd} [options]`,
      "Trains a supernet per mode (and per K for kshot) and seed with one budget, scores the ground truth's cells on each,\nand reports Kendall tau-a and tau-b, Spearman, Pearson and the high-group tau against the truth, with plots.", studyRankFlags));
    return;
  }
  const preset = STUDY_PRESETS[f.quick ? "quick" : "full"];
  const modes = list(cmd, "modes", f.modes);
  for (const m of modes) if (!(SUPERNET_MODES as readonly string[]).includes(m)) throw new UsageError(`${cmd}: --modes: unknown mode '${m}' (${SUPERNET_MODES.join(", ")})`);
  if (new Set(modes).size !== modes.length) throw new UsageError(`${cmd}: --modes names a mode twice`);
  const ks = list(cmd, "K", f.K ?? preset.K).map((k) => num(cmd, "K", k, { integer: true, min: 1, max: 64 }));
  const baseK = num(cmd, "baseline-K", f["baseline-K"], { integer: true, min: 2, max: 64 });
  const runs: StudyRun[] = [];
  for (const m of modes as SupernetMode[]) {
    if (m === "oneshot") runs.push({ mode: m, K: 1 });
    else if (m === "kshot") for (const K of [...new Set(ks)].sort((a, b) => a - b)) runs.push({ mode: m, K });
    else runs.push({ mode: m, K: baseK });
  }
  const seeds = num(cmd, "seeds", f.seeds ?? String(preset.seeds), { integer: true, min: 1, max: 100 });
  const budget: StudyBudget = {
    C: 8, N: 1,
    epochs: num(cmd, "epochs", f.epochs ?? String(preset.epochs), { integer: true, min: 1 }),
    warmupEpochs: num(cmd, "warmup-epochs", f["warmup-epochs"], { integer: true, min: 0 }),
    batchSize: num(cmd, "batch-size", f["batch-size"], { integer: true, min: 1 }),
    trainLimit: num(cmd, "train-limit", f["train-limit"] ?? String(preset.trainLimit), { integer: true, min: 2 }),
    valSize: num(cmd, "val-size", f["val-size"], { integer: true, min: 1 }),
    lr: num(cmd, "lr", f.lr, { min: 0 }), simplexLr: num(cmd, "simplex-lr", f["simplex-lr"], { min: 0 }),
    m: num(cmd, "m", f.m, { integer: true, min: 1 }), simplexBatch: num(cmd, "simplex-batch", f["simplex-batch"], { integer: true, min: 1 }),
    hidden: num(cmd, "hidden", f.hidden, { integer: true, min: 1 }),
  };
  if (budget.warmupEpochs > budget.epochs) throw new UsageError(`${cmd}: --warmup-epochs ${budget.warmupEpochs} exceeds --epochs ${budget.epochs}`);
  if (budget.valSize >= budget.trainLimit) throw new UsageError(`${cmd}: --val-size ${budget.valSize} leaves no training images of --train-limit ${budget.trainLimit}`);
  if (budget.simplexBatch < budget.m) throw new UsageError(`${cmd}: --simplex-batch ${budget.simplexBatch} gives fewer than one image to each of --m ${budget.m} paths`);
  const truthPath = f.truth === undefined ? packageFile(COMMITTED_TRUTH_NAME) : String(f.truth);
  const truth = readTruth(truthPath);
  const out = String(f.out);
  const workers = num(cmd, "workers", f.workers, { integer: true, min: 1 });
  if (workers > 1 && f.threads !== undefined) throw new UsageError(`${cmd}: --threads sizes the one run of --workers 1; with --workers ${workers} each run has one thread`);
  const threads = workers > 1 ? 1 : selectThreads(cmd, f.threads, f["threads-oversubscribe"] === true);
  const protocol: RankStudyProtocol = {
    runs, seeds: Array.from({ length: seeds }, (_, i) => i), budget,
    truth: { path: f.truth === undefined ? COMMITTED_TRUTH_NAME : truthPath, cells: truth.length },
  };
  if (f.alternation === "even-odd") budget.alternation = "even-odd"; // absent for interleaved, so that studies made before the flag resume
  else if (f.alternation !== "interleaved") throw new UsageError(`${cmd}: --alternation expects interleaved or even-odd, received '${String(f.alternation)}'`);
  const scoreEvery = num(cmd, "score-every", f["score-every"], { integer: true, min: 0 });
  if (scoreEvery > 0) protocol.scoreEvery = scoreEvery; // absent otherwise, so that studies made before the flag resume
  if (f["data-dir"] !== undefined) {
    const dir = resolve(String(f["data-dir"]));
    if (!existsSync(dir)) throw new UsageError(`${cmd}: --data-dir ${dir}: no such directory`);
    protocol.dataDir = dir; // absent for the embedded subset, so that studies made before the flag resume
  }
  if (kernelSet() === "fma") protocol.kernels = "fma"; // absent for plain SIMD, so that studies made before the FMA kernels resume
  claimRunDir(out, { command: cmd, settings: { ...protocol } }, { force: false, flag: "--out", forceable: false });
  const progress = new Progress();
  progress.log(`${cmd}: ${runs.length} supernet(s) x ${seeds} seed(s), ${budget.epochs} epochs each on ${budget.trainLimit} images; ${truth.length} truth cells from ${truthPath}; ${workers > 1 ? `${workers} runs at a time, one CPU thread each` : `${threads} CPU thread(s)`}`);
  const t0 = performance.now();
  const s = await runRankStudy(protocol, truth, out, progress, { lanes: workers });
  const report = writeStudyReport(out);
  const c = s.truth.ceiling;
  process.stdout.write(`${studyTable(s)}\n`);
  for (const v of studyVerdicts(s)) process.stdout.write(`${v}\n`);
  process.stdout.write("what the scores follow (tau-b of each op's count against the scores, working cells):\n");
  for (const v of studyFollows(s)) process.stdout.write(`  ${v}\n`);
  process.stdout.write(`noise ceiling of the truth (seed vs seed): ${c === null ? "not measured (one seed)" : `tau-b ${c.kendallTauB.toFixed(3)}, Spearman ${c.spearman.toFixed(3)}`}\n`);
  process.stdout.write(`measured time: ${formatMinutes((performance.now() - t0) / 1000)}; study.json and report ${report}\n`);
  if (f.json) process.stdout.write(`${JSON.stringify({ out, report, summary: s.summary, ceiling: c })}\n`);
}
