import { appendFileSync, existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { ensureWritableDir, readJournal, writeFileAtomic } from "../data/files.js";
import { differingFields } from "../data/run_dir.js";
import { join } from "node:path";
import { Rng } from "../engine/index.js";
import { head } from "../data/dataset.js";
import { DATA_RECIPES, EMBEDDED_FASHION_MNIST, loadDataset } from "../train/datasets.js";
import type { TrainRecipe } from "../train/fit.js";
import { Nb201Space } from "../nas/nb201/space.js";
import type { SearchedPath, SupernetSearchResult } from "../nas/search/supernet_search.js";
import { buildSupernetSession, loadSupernetCheckpoint, type SupernetConfig, type SupernetSession } from "../nas/supernet/session.js";
import { DEFAULT_SUPERNET_OPTIONS, type SupernetEpochReport } from "../nas/supernet/trainer.js";
import type { SupernetMode } from "../nas/supernet/path_code.js";
import { MBV2_RETRAIN_BATCH, STANDALONE_RECIPE, mbv2RetrainRecipe, type StandaloneNet, type StandaloneResult } from "../nas/standalone.js";
import type { QueueSpec } from "../workers/executor.js";
import { redactUrl } from "../workers/queue/protocol.js";
import { StandalonePool } from "../workers/standalone_pool.js";
import { shareDataset } from "../workers/shared_state.js";
import { sampleFunctions, sampleGenes, withinBound, type SearchSpace } from "../nas/space.js";
import type { Mbv2Space } from "../nas/mbv2/space.js";
import { percentileAmong, readTruth, readTruthProtocol } from "../nas/study/truth.js";
import { checkRedis } from "../workers/queue/redis.js";
import { searchSupernet, stopNote } from "./search_stage.js";
import type { ProgressSink } from "../nas/progress.js";
import { trainSupernet } from "./supernet_stage.js";

export interface MainJobOptions {
  out: string;
  seed: number;
  /** The search space (default nb201: a NAS-Bench-201 cell at C=8, N=1); mbv2: the MobileNetV2 space's mini macro, widths searched with `searchWidth`. */
  space?: "nb201" | "mbv2"; searchWidth?: boolean;
  /** The supernet's method (default kshot) and the weight of r_c in the simplex-net's loss (default 1; width search only): the ablation's rows. */
  mode?: SupernetMode; rcAlpha?: number;
  /** Fashion-MNIST's directory (default: the embedded subset). */
  dataDir?: string;
  /** The supernet: K copies, epochs (the first is warm-up), embedded training images and how many of them are held out to rank paths. */
  K: number; epochs: number; trainLimit: number; valSize: number; batchSize: number; lr: number;
  /** This machine's worker threads: the stand-alone trainings', and the search's unless `queue` names a BullMQ queue to evaluate on. */
  workers: number; queue?: QueueSpec;
  /** The search: NSGA-II's population, the most distinct functions it evaluates, its FLOPs bound. */
  populationSize: number; evaluations: number; maxMflops: number;
  /** The proof: the chosen cell and `baselines` random cells under the bound, trained stand-alone. */
  baselines: number; retrainEpochs: number; retrainImages: number;
  /** Trainings per retrained cell, with seeds seed .. seed + retrainSeeds - 1; its accuracy is their mean. */
  retrainSeeds: number;
  /** A ground-truth table (`kshot study truth`): the pick's percentile among its cells under the bound, when the retraining follows its protocol. */
  truth?: string;
}

/** A cell trained stand-alone `seeds.length` times: `testAcc` is the mean of `accs`, `seconds` their sum. */
export interface RetrainedCell extends StandaloneResult { seeds: number[]; accs: number[] }

/** Where the pick and the random cells stand among the truth's cells under the same bound (percent, ties half). */
export interface TruthStanding {
  path: string;
  /** Null where the retraining's protocol is the truth's; else what differs, and no percentile is given. */
  differs: string[] | null;
  cellsUnderBound: number;
  chosenPercentile: number | null;
  baselinePercentiles: (number | null)[];
}

/** summary.json of a main-job run directory: everything its report shows. */
export interface MainJobSummary {
  options: MainJobOptions;
  supernet: { config: SupernetConfig; epochs: SupernetEpochReport[]; checkpoint: string };
  search: { best: SearchedPath; front: SearchedPath[]; evaluations: number; generations: number; seconds: number; stopped: string };
  retrain: {
    recipe: TrainRecipe; trainImages: number; testImages: number; chosen: RetrainedCell; baseline: RetrainedCell[]; baselineMean: number;
    truth: TruthStanding | null;
  };
  seconds: number;
}

const NET = { C: 8, N: 1 };

/**
 * The main job (`npm start`): on the embedded Fashion-MNIST subset, train a
 * K-shot supernet (NAS-Bench-201 at C=8, N=1, or the MobileNetV2 space's
 * mini macro, with or without width search); search it with NSGA-II and the
 * worker pool under a FLOPs bound; train the chosen network and random ones
 * under the same bound stand-alone (the space's recipe) and test them; write
 * summary.json into `out` beside the search's files (the caller renders the
 * report from it: report/run_report.ts).
 */
export async function runMainJob(o: MainJobOptions, sink: ProgressSink): Promise<MainJobSummary> {
  const t0 = performance.now();
  ensureWritableDir(o.out);
  const config: SupernetConfig = {
    ...DEFAULT_SUPERNET_OPTIONS, space: o.space ?? "nb201", ...(o.space === "mbv2" ? { searchWidth: o.searchWidth === true } : {}), mode: o.mode ?? "kshot", K: o.K, ...NET,
    ...(o.rcAlpha === undefined ? {} : { alpha: o.rcAlpha }),
    dataset: "fashion-mnist", dataDir: o.dataDir ?? EMBEDDED_FASHION_MNIST, trainLimit: o.trainLimit, valSize: o.valSize,
    epochs: o.epochs, warmupEpochs: 1, batchSize: o.batchSize, lr: o.lr, hidden: 100, seed: o.seed,
  };
  if (o.queue !== undefined) await checkRedis(o.queue.redis, (line) => sink.log(line)); // before the training, not after it
  const checkpoint = join(o.out, "supernet.safetensors");
  const session = resumeOrBuild(config, checkpoint);
  checkBoundRoom(session.space, o.maxMflops, o.baselines, o.seed);
  // the epochs' losses live beside the checkpoint, so a resumed run reports all of them
  const history = join(o.out, "supernet.epochs.json");
  const epochs = session.trainer.epoch > 0 && existsSync(history) ? (JSON.parse(readFileSync(history, "utf8")) as SupernetEpochReport[]).slice(0, session.trainer.epoch) : [];
  const what = o.space === "mbv2" ? `MobileNetV2-space supernet (mini macro${o.searchWidth ? ", widths searched" : ""})` : "NAS-Bench-201 supernet (C=8, N=1)";
  sink.log(`1/3 training a K=${o.K} ${what} on ${session.train.count} ${o.dataDir === undefined ? "embedded " : ""}Fashion-MNIST images, ${o.epochs} epochs (1 warm-up)` +
    (session.trainer.epoch > 0 ? `; resuming ${checkpoint} after epoch ${session.trainer.epoch}` : ""));
  await trainSupernet(session, checkpoint, sink, (e) => { epochs.push(e); writeFileAtomic(history, `${JSON.stringify(epochs)}\n`); });

  // the search's result is kept whole, so a rerun after an interruption in the retraining skips it
  const searchPath = join(o.out, "search.json");
  let r: SupernetSearchResult;
  if (existsSync(searchPath)) {
    r = JSON.parse(readFileSync(searchPath, "utf8")) as SupernetSearchResult;
    sink.log(`2/3 search: reusing the finished search in ${searchPath}`);
  } else {
    sink.log(`2/3 searching: each path scored on ${session.val.count} held-out images`);
    r = await searchSupernet(session, {
      executor: o.queue === undefined ? { kind: "local", workers: o.workers } : { kind: "bullmq", ...o.queue }, checkpoint,
      populationSize: o.populationSize, generations: Infinity, evaluations: o.evaluations, seed: o.seed, maxMflops: o.maxMflops,
    }, o.out, sink);
    writeFileAtomic(searchPath, `${JSON.stringify(r)}\n`);
  }

  const data = loadDataset("fashion-mnist", o.dataDir ?? EMBEDDED_FASHION_MNIST);
  const standalone = { train: head(data.train, o.retrainImages), test: data.test, recipe: DATA_RECIPES["fashion-mnist"] };
  const recipe: TrainRecipe = o.space === "mbv2" ? mbv2RetrainRecipe(o.retrainEpochs, MBV2_RETRAIN_BATCH) : { ...STANDALONE_RECIPE, epochs: o.retrainEpochs };
  const net: StandaloneNet = o.space === "mbv2" ? { space: "mbv2", macro: (session.space as Mbv2Space).macro.name } : NET;
  const space = session.space;
  // the random baseline: other functions under the same bound
  const baselineArchs = sampleFunctions(space, o.baselines, new Rng(o.seed + 0xba5e), {
    exclude: [space.parse(r.best.arch)], accept: (g) => space.cost(g).nb201Mflops <= o.maxMflops, what: `cells within ${o.maxMflops} MFLOPs`,
  }).map((g) => space.format(g));
  const unit = space instanceof Nb201Space ? "cell" : "network";
  sink.log(`3/3 training the chosen ${unit} and ${o.baselines} random ${unit}s within ${o.maxMflops} MFLOPs stand-alone ` +
    `(${standalone.train.count} images, ${recipe.epochs} epochs), testing on ${standalone.test.count}`);
  const cells = [r.best.arch, ...baselineArchs];
  const seeds = Array.from({ length: o.retrainSeeds }, (_, i) => o.seed + i);
  // one single-threaded training per worker: the same bits as on the kernel team, with both cores busy all the time
  // each finished training goes into a journal, so a rerun trains only the missing ones
  const journal = join(o.out, "retrain.jsonl");
  type Entry = StandaloneResult & { seed: number };
  const done = new Map(readJournal<Entry>(journal).map((e) => [`${e.arch}#${e.seed}`, e]));
  const pool = new StandalonePool({ train: shareDataset(standalone.train), test: shareDataset(standalone.test), dataRecipe: standalone.recipe, recipe, net }, o.workers);
  let results: RetrainedCell[];
  try {
    results = await Promise.all(cells.map(async (arch, i) => {
      const runs = await Promise.all(seeds.map(async (seed) => {
        const earlier = done.get(`${arch}#${seed}`);
        const res: Entry = earlier ?? { ...await pool.train({ arch, seed }), seed };
        if (earlier === undefined) appendFileSync(journal, `${JSON.stringify(res)}\n`);
        sink.log(`${i === 0 ? "chosen" : `random ${i}`}, seed ${seed}: test accuracy ${res.testAcc.toFixed(4)} (${res.seconds.toFixed(0)} s${earlier === undefined ? "" : ", from an earlier run"}) ${arch}`);
        return res;
      }));
      const { seed: _seed, ...first } = runs[0]!;
      const accs = runs.map((x) => x.testAcc);
      return { ...first, seeds, accs, testAcc: accs.reduce((a, b) => a + b, 0) / accs.length, seconds: runs.reduce((a, x) => a + x.seconds, 0) };
    }));
  } finally {
    await pool.close();
  }
  const [chosen, ...baseline] = results as [RetrainedCell, ...RetrainedCell[]];
  const retrainProtocol = { C: NET.C, N: NET.N, dataset: "fashion-mnist", trainLimit: standalone.train.count, testLimit: standalone.test.count, recipe, seeds: seeds.length };
  const summary: MainJobSummary = {
    options: { ...o, queue: o.queue === undefined ? undefined : { ...o.queue, redis: redactUrl(o.queue.redis) } },
    supernet: { config: session.config, epochs, checkpoint },
    search: { best: r.best, front: r.front, evaluations: r.evaluations, generations: r.generations, seconds: r.seconds, stopped: stopNote(r, space.distinctFunctions) },
    retrain: {
      recipe, trainImages: standalone.train.count, testImages: standalone.test.count, chosen, baseline,
      baselineMean: baseline.reduce((s, b) => s + b.testAcc, 0) / Math.max(1, baseline.length),
      // the truth tables hold NAS-Bench-201 cells
      truth: o.truth === undefined || !(space instanceof Nb201Space) ? null : truthStanding(o.truth, retrainProtocol, space, o.maxMflops, chosen, baseline),
    },
    seconds: (performance.now() - t0) / 1000,
  };
  writeFileSync(join(o.out, "summary.json"), `${JSON.stringify(summary, null, 2)}\n`);
  return summary;
}

/**
 * The pick's and the random cells' percentiles among the truth's cells under
 * the bound, when the retraining's protocol is the truth's (recipe, images,
 * seeds, network, embedded data); otherwise what differs, and no percentile.
 */
export function truthStanding(csv: string, retrain: Record<string, unknown>, space: Nb201Space, maxMflops: number, chosen: RetrainedCell, baseline: readonly RetrainedCell[]): TruthStanding {
  const p = readTruthProtocol(csv);
  const truthSide = { C: p.C, N: p.N, dataset: p.dataset, trainLimit: p.trainLimit ?? null, testLimit: p.testLimit ?? retrain["testLimit"], recipe: p.recipe, seeds: p.seeds };
  const differs = p.dataDir === undefined ? differingFields(truthSide, retrain) : ["dataDir: the truth's own data, the retraining's the embedded subset"];
  const under = readTruth(csv).filter((row) => space.cost(space.parse(row.arch)).nb201Mflops <= maxMflops).map((row) => row.mean);
  const at = (c: RetrainedCell) => (differs.length > 0 || under.length === 0 ? null : percentileAmong(c.testAcc, under));
  return { path: csv, differs: differs.length > 0 ? differs : null, cellsUnderBound: under.length, chosenPercentile: at(chosen), baselinePercentiles: baseline.map(at) };
}

/**
 * Fails, saying why, before any training, where the bound leaves too little
 * to search: no architecture within it, or fewer distinct ones than the pick
 * and the random baseline need. A small space is enumerated; a large one
 * (the MobileNetV2 space) is probed with 10,000 seeded uniform draws.
 */
export function checkBoundRoom(space: SearchSpace, maxMflops: number, baselines: number, seed: number): void {
  const what = space instanceof Nb201Space ? "cell" : "architecture";
  if (space.distinctFunctions <= 1e6) {
    const room = withinBound(space, maxMflops);
    if (room.functions === 0) throw new Error(`no ${what} is within the bound of ${maxMflops} MFLOPs (--max-mflops): the cheapest has ${room.cheapestMflops.toFixed(3)}`);
    if (room.functions < baselines + 1) throw new Error(`the bound of ${maxMflops} MFLOPs (--max-mflops) holds ${room.functions} distinct ${what}(s), too few for the pick and ${baselines} random ${what}s (--baselines)`);
    return;
  }
  const rng = new Rng(seed + 0xb0d);
  let under = 0, cheapest = Infinity;
  for (let i = 0; i < 10_000; i++) {
    const mflops = space.cost(sampleGenes(space, rng)).nb201Mflops;
    cheapest = Math.min(cheapest, mflops);
    if (mflops <= maxMflops) under++;
  }
  if (under < baselines + 1) {
    throw new Error(`${under} of 10,000 random ${what}s are within the bound of ${maxMflops} MFLOPs (--max-mflops), too few to search it and draw ${baselines} random ${what}s (--baselines); the cheapest drawn has ${cheapest.toFixed(3)}`);
  }
}

/** The session the run's checkpoint holds, to continue, or a new one; a checkpoint of other settings is an error. */
function resumeOrBuild(config: SupernetConfig, checkpoint: string): SupernetSession {
  if (!existsSync(checkpoint)) return buildSupernetSession(config);
  const session = loadSupernetCheckpoint(checkpoint, { resume: true });
  const diff = differingFields(session.config, config);
  if (diff.length > 0) throw new Error(`${checkpoint} holds a supernet of other settings (${diff.join("; ")}); give another --out, or remove it`);
  return session;
}

/** The files a main job resumes from: removed before a run that must start over (another command's directory, taken with --force). */
export const MAIN_JOB_STAGES = ["supernet.safetensors", "supernet.epochs.json", "search.json", "retrain.jsonl"] as const;

export function clearMainJobStages(out: string): void {
  for (const f of MAIN_JOB_STAGES) rmSync(join(out, f), { force: true });
}
