import { availableParallelism } from "node:os";
import { join } from "node:path";
import { mkdirSync } from "node:fs";
import { buildSupernetRun } from "../nas/supernet/run.js";
import { DEFAULT_SUPERNET_OPTIONS } from "../nas/supernet/trainer.js";
import { EMBEDDED_FASHION_MNIST } from "../train/datasets.js";
import { helpText, num, parseFlags, type FlagSpecs } from "./args.js";
import { backendFlag, gpuSummary, selectBackend, selectThreads, threadsFlag } from "./backend.js";
import { Progress } from "./progress.js";
import { searchWithPool } from "./search.js";
import { trainWithProgress } from "./supernet.js";

export const mainFlags: FlagSpecs = {
  epochs: { type: "string", help: "supernet training epochs (the first is warm-up)", default: "3" },
  "train-limit": { type: "string", help: "embedded training images used (before the validation split)", default: "4500" },
  "val-size": { type: "string", help: "of which held out to evaluate paths", default: "500" },
  K: { type: "string", help: "weight copies per searchable op", default: "4" },
  evaluations: { type: "string", help: "architectures the search evaluates", default: "200" },
  population: { type: "string", help: "NSGA-II population", default: "20" },
  "max-mflops": { type: "string", help: "hard FLOPs bound of the search (NAS-Bench-201 convention)", default: "5" },
  workers: { type: "string", help: "evaluation worker threads", default: String(availableParallelism()) },
  seed: { type: "string", help: "seed of everything random", default: "0" },
  out: { type: "string", help: "directory for the checkpoint, the front and the summary", default: "runs/main" },
  backend: { ...backendFlag, help: `backend of the supernet training (the search evaluates on the CPU workers): ${backendFlag.help}` },
  threads: { ...threadsFlag, help: `CPU kernel threads of the supernet training; the search's workers run one each: ${threadsFlag.help}` },
};

/**
 * The main job (`npm start`): on the embedded Fashion-MNIST subset, train a
 * K-shot NAS-Bench-201 supernet (C=8, N=1), then search it with NSGA-II and
 * the worker pool under a FLOPs bound, and print the front and the choice.
 */
export async function mainJobCommand(argv: string[]): Promise<void> {
  const cmd = "kshot run";
  const f = parseFlags(cmd, argv, mainFlags);
  if (f.help) {
    process.stdout.write(helpText(`usage: ${cmd} [options]`, "Trains a K-shot supernet on the embedded data, then searches it (the main job).", mainFlags));
    return;
  }
  const progress = new Progress();
  const out = String(f.out);
  mkdirSync(out, { recursive: true });
  const backend = await selectBackend(cmd, f.backend);
  const threads = selectThreads(cmd, f.threads);
  const run = buildSupernetRun({
    ...DEFAULT_SUPERNET_OPTIONS, space: "nb201", mode: "kshot", K: num(cmd, "K", f.K, { integer: true, min: 1 }), C: 8, N: 1,
    dataset: "fashion-mnist", dataDir: EMBEDDED_FASHION_MNIST,
    trainLimit: num(cmd, "train-limit", f["train-limit"], { integer: true, min: 2 }),
    valSize: num(cmd, "val-size", f["val-size"], { integer: true, min: 1 }),
    epochs: num(cmd, "epochs", f.epochs, { integer: true, min: 1 }), warmupEpochs: 1, batchSize: 64, hidden: 100,
    seed: num(cmd, "seed", f.seed, { integer: true, min: 0 }),
  });
  const c = run.config;
  progress.log(`kshot run: 1/2 training a K=${c.K} NAS-Bench-201 supernet (C=8, N=1) on ${run.train.count} embedded Fashion-MNIST images, ${c.epochs} epochs (1 warm-up), ${backend} backend, ${threads} CPU thread(s)`);
  const checkpoint = join(out, "supernet.safetensors");
  await trainWithProgress(run, checkpoint, progress);
  const gpu = gpuSummary();
  if (gpu !== null) progress.log(`${cmd}: ${gpu}`);
  progress.log(`kshot run: 2/2 searching ${run.val.count} validation images per path`);
  await searchWithPool(run, {
    workers: num(cmd, "workers", f.workers, { integer: true, min: 1 }),
    populationSize: num(cmd, "population", f.population, { integer: true, min: 2 }),
    generations: Number.MAX_SAFE_INTEGER,
    evaluations: num(cmd, "evaluations", f.evaluations, { integer: true, min: 1 }),
    seed: c.seed,
    maxMflops: num(cmd, "max-mflops", f["max-mflops"], { min: 0 }),
  }, out);
}
