import { taskFile } from "./task_file.js";
import { Piscina } from "piscina";
import type { StandaloneResult } from "../nas/standalone.js";
import type { TrainTask, TrainWorkerData } from "./standalone_task.js";

/**
 * Stand-alone trainings on a piscina pool, one kernel thread per worker: the
 * train and test splits are shared once, each task is one (arch, seed).
 */
export class StandalonePool {
  private readonly pool: Piscina;

  constructor(data: TrainWorkerData, workers: number) {
    if (!(Number.isInteger(workers) && workers >= 1)) throw new Error(`training pool: expected workers >= 1, received ${workers}`);
    this.pool = new Piscina({
      filename: taskFile("standalone_task", import.meta.url),
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
