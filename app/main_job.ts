import { writeFileSync } from "node:fs";
import { ensureWritableDir } from "../data/files.js";
import { join } from "node:path";
import { Rng } from "../engine/index.js";
import { head } from "../data/dataset.js";
import { DATA_RECIPES, EMBEDDED_FASHION_MNIST, loadDataset } from "../train/datasets.js";
import type { TrainRecipe } from "../train/fit.js";
import { Nb201Space } from "../nas/nb201/space.js";
import type { SearchedPath } from "../nas/search/supernet_search.js";
import { buildSupernetSession, type SupernetConfig } from "../nas/supernet/session.js";
import { DEFAULT_SUPERNET_OPTIONS, type SupernetEpochReport } from "../nas/supernet/trainer.js";
import { STANDALONE_RECIPE, type StandaloneResult } from "../nas/standalone.js";
import type { QueueSpec } from "../workers/executor.js";
import { redactUrl } from "../workers/queue/protocol.js";
import { StandalonePool } from "../workers/standalone_pool.js";
import { shareDataset } from "../workers/shared_state.js";
import { sampleFunctions } from "../nas/space.js";
import { searchSupernet, stopNote } from "./search_stage.js";
import type { ProgressSink } from "../nas/progress.js";
import { trainSupernet } from "./supernet_stage.js";

export interface MainJobOptions {
  out: string;
  seed: number;
  /** The supernet: K copies, epochs (the first is warm-up), embedded training images and how many of them are held out to rank paths. */
  K: number; epochs: number; trainLimit: number; valSize: number; batchSize: number; lr: number;
  /** This machine's worker threads: the stand-alone trainings', and the search's unless `queue` names a BullMQ queue to evaluate on. */
  workers: number; queue?: QueueSpec;
  /** The search: NSGA-II's population, the most distinct functions it evaluates, its FLOPs bound. */
  populationSize: number; evaluations: number; maxMflops: number;
  /** The proof: the chosen cell and `baselines` random cells under the bound, trained stand-alone. */
  baselines: number; retrainEpochs: number; retrainImages: number;
}

/** summary.json of a main-job run directory: everything its report shows. */
export interface MainJobSummary {
  options: MainJobOptions;
  supernet: { config: SupernetConfig; epochs: SupernetEpochReport[]; checkpoint: string };
  search: { best: SearchedPath; front: SearchedPath[]; evaluations: number; generations: number; seconds: number; stopped: string };
  retrain: { recipe: TrainRecipe; trainImages: number; testImages: number; chosen: StandaloneResult; baseline: StandaloneResult[]; baselineMean: number };
  seconds: number;
}

const NET = { C: 8, N: 1 };

/**
 * The main job (`npm start`): on the embedded Fashion-MNIST subset, train a
 * K-shot NAS-Bench-201 supernet (C=8, N=1); search it with NSGA-II and the
 * worker pool under a FLOPs bound; train the chosen cell and random cells
 * under the same bound stand-alone and test them; write summary.json into
 * `out` beside the search's files (the caller renders the report from it:
 * report/run_report.ts).
 */
export async function runMainJob(o: MainJobOptions, sink: ProgressSink): Promise<MainJobSummary> {
  const t0 = performance.now();
  ensureWritableDir(o.out);
  const session = buildSupernetSession({
    ...DEFAULT_SUPERNET_OPTIONS, space: "nb201", mode: "kshot", K: o.K, ...NET,
    dataset: "fashion-mnist", dataDir: EMBEDDED_FASHION_MNIST, trainLimit: o.trainLimit, valSize: o.valSize,
    epochs: o.epochs, warmupEpochs: 1, batchSize: o.batchSize, lr: o.lr, hidden: 100, seed: o.seed,
  });
  sink.log(`1/3 training a K=${o.K} NAS-Bench-201 supernet (C=8, N=1) on ${session.train.count} embedded Fashion-MNIST images, ${o.epochs} epochs (1 warm-up)`);
  const checkpoint = join(o.out, "supernet.safetensors");
  const epochs = await trainSupernet(session, checkpoint, sink);

  sink.log(`2/3 searching: each path scored on ${session.val.count} held-out images`);
  const r = await searchSupernet(session, {
    executor: o.queue === undefined ? { kind: "local", workers: o.workers } : { kind: "bullmq", ...o.queue }, checkpoint,
    populationSize: o.populationSize, generations: Infinity, evaluations: o.evaluations, seed: o.seed, maxMflops: o.maxMflops,
  }, o.out, sink);

  const data = loadDataset("fashion-mnist", EMBEDDED_FASHION_MNIST);
  const standalone = { train: head(data.train, o.retrainImages), test: data.test, recipe: DATA_RECIPES["fashion-mnist"] };
  const recipe = { ...STANDALONE_RECIPE, epochs: o.retrainEpochs };
  const space = session.space as Nb201Space;
  // the random baseline: other functions under the same bound
  const baselineArchs = sampleFunctions(space, o.baselines, new Rng(o.seed + 0xba5e), {
    exclude: [space.parse(r.best.arch)], accept: (g) => space.cost(g).nb201Mflops <= o.maxMflops, what: `cells within ${o.maxMflops} MFLOPs`,
  }).map((g) => space.format(g));
  sink.log(`3/3 training the chosen cell and ${o.baselines} random cells within ${o.maxMflops} MFLOPs stand-alone ` +
    `(${standalone.train.count} images, ${recipe.epochs} epochs), testing on ${standalone.test.count}`);
  const cells = [r.best.arch, ...baselineArchs];
  // one single-threaded training per worker: the same bits as on the kernel team, with both cores busy all the time
  const pool = new StandalonePool({ train: shareDataset(standalone.train), test: shareDataset(standalone.test), dataRecipe: standalone.recipe, recipe, net: NET }, o.workers);
  let results: StandaloneResult[];
  try {
    results = await Promise.all(cells.map(async (arch, i) => {
      const res = await pool.train({ arch, seed: o.seed });
      sink.log(`${i === 0 ? "chosen" : `random ${i}`}: test accuracy ${res.testAcc.toFixed(4)} (${res.seconds.toFixed(0)} s) ${arch}`);
      return res;
    }));
  } finally {
    await pool.close();
  }
  const [chosen, ...baseline] = results as [StandaloneResult, ...StandaloneResult[]];
  const summary: MainJobSummary = {
    options: { ...o, queue: o.queue === undefined ? undefined : { ...o.queue, redis: redactUrl(o.queue.redis) } },
    supernet: { config: session.config, epochs, checkpoint },
    search: { best: r.best, front: r.front, evaluations: r.evaluations, generations: r.generations, seconds: r.seconds, stopped: stopNote(r, space.distinctFunctions) },
    retrain: {
      recipe, trainImages: standalone.train.count, testImages: standalone.test.count, chosen, baseline,
      baselineMean: baseline.reduce((s, b) => s + b.testAcc, 0) / Math.max(1, baseline.length),
    },
    seconds: (performance.now() - t0) / 1000,
  };
  writeFileSync(join(o.out, "summary.json"), `${JSON.stringify(summary, null, 2)}\n`);
  return summary;
}
