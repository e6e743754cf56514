import { workerData } from "node:worker_threads";
import { setKernelThreads } from "../engine/index.js";
import type { DataRecipe, TrainRecipe } from "../train/fit.js";
import { trainStandalone, type StandaloneNet, type StandaloneResult } from "../nas/standalone.js";
import type { ProgressSink } from "../nas/progress.js";
import { datasetView, type SharedDataset } from "./shared_state.js";

/** What every training worker receives once: the recipe and the shared train and test splits. */
export interface TrainWorkerData {
  train: SharedDataset;
  test: SharedDataset;
  dataRecipe: DataRecipe;
  recipe: TrainRecipe;
  net: StandaloneNet;
}

export interface TrainTask { arch: string; seed: number }

const quiet: ProgressSink = { log: () => {}, update: () => {} };

/** One stand-alone training (`kshot train`'s recipe), on this worker's one kernel thread. */
export default async function train(task: TrainTask): Promise<StandaloneResult> {
  const d = workerData as TrainWorkerData;
  setKernelThreads(1); // the pool's workers are the thread budget: each trains alone
  const data = { train: datasetView(d.train), test: datasetView(d.test), recipe: d.dataRecipe };
  return trainStandalone(task.arch, d.net, data, d.recipe, task.seed, quiet, task.arch);
}
