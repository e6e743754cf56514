import { fileURLToPath } from "node:url";
import { Piscina } from "piscina";
import type { StandaloneResult } from "../nas/pipeline/retrain.js";
import type { TrainTask, TrainWorkerData } from "./train_task.js";

/**
 * Stand-alone trainings on a piscina pool, one kernel thread per worker: the
 * train and test splits are shared once, each task is one (arch, seed).
 */
export class TrainerPool {
  private readonly pool: Piscina;

  constructor(data: TrainWorkerData, workers: number) {
    if (!(Number.isInteger(workers) && workers >= 1)) throw new Error(`training pool: expected workers >= 1, received ${workers}`);
    this.pool = new Piscina({
      filename: fileURLToPath(new URL("./train_worker.mjs", import.meta.url)),
      minThreads: workers, maxThreads: workers, idleTimeout: 60_000, concurrentTasksPerWorker: 1, workerData: data,
    });
  }

  train(task: TrainTask): Promise<StandaloneResult> {
    return this.pool.run(task) as Promise<StandaloneResult>;
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }
}
