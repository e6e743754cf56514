import { fileURLToPath } from "node:url";
import { Piscina } from "piscina";
import type { Tensor } from "../engine/index.js";
import type { SupernetRun } from "../nas/supernet/run.js";
import type { EvalResult, EvalTask, EvalWorkerData } from "./eval_task.js";
import { packTensors, shareDataset, type SharedArena } from "./shared_state.js";

export interface EvaluatorPoolOptions {
  workers: number;
  /** A task running longer than this is aborted, its worker replaced, and the task retried. */
  timeoutMs?: number;
  /** Further tries of a task whose worker crashed or hung. */
  retries?: number;
  batchSize?: number;
  /** Tests only: how many faults tasks may trigger (see EvalWorkerData.faults). */
  faults?: number;
}

/**
 * Evaluates paths of a trained supernet on a piscina pool. The supernet and
 * simplex-net weights and the validation split are written once into
 * SharedArrayBuffers; every worker reads them through views. Each task is
 * one architecture; results do not depend on the number of workers.
 */
export class EvaluatorPool {
  private readonly pool: Piscina;
  readonly sharedBytes: number;
  private readonly timeoutMs: number;
  private readonly retries: number;

  /**
   * Starts the workers over shared copies of the run's weights (read from
   * whichever backend trained them: a GPU-trained supernet is searched on
   * the CPU) and validation data.
   */
  static async create(run: SupernetRun, o: EvaluatorPoolOptions): Promise<EvaluatorPool> {
    if (!(Number.isInteger(o.workers) && o.workers >= 1)) throw new Error(`evaluator pool: expected workers >= 1, received ${o.workers}`);
    const state = new Map<string, Tensor>([
      ...[...run.supernet.stateDict()].map(([n, t]) => [`supernet.${n}`, t] as const),
      ...[...run.simplex.stateDict()].map(([n, t]) => [`simplex.${n}`, t] as const),
    ]);
    return new EvaluatorPool(run, o, await packTensors(state));
  }

  private constructor(private readonly run: SupernetRun, o: EvaluatorPoolOptions, arena: SharedArena) {
    const val = shareDataset(run.val);
    let faults: SharedArrayBuffer | undefined;
    if (o.faults !== undefined) {
      faults = new SharedArrayBuffer(4);
      new Int32Array(faults)[0] = o.faults;
    }
    const workerData: EvalWorkerData = { config: run.config, arena, val, recipe: run.recipe, batchSize: o.batchSize ?? 250, faults };
    this.sharedBytes = arena.buffer.byteLength + val.images.byteLength + val.labels.byteLength;
    this.timeoutMs = o.timeoutMs ?? 120_000;
    this.retries = o.retries ?? 2;
    this.pool = new Piscina({
      filename: fileURLToPath(new URL("./eval_worker.mjs", import.meta.url)),
      minThreads: o.workers, maxThreads: o.workers, idleTimeout: 60_000, concurrentTasksPerWorker: 1, workerData,
    });
  }

  /** Evaluates one path, replacing a crashed or hung worker and retrying a bounded number of times. */
  async evaluate(genes: readonly number[], fault?: EvalTask["fault"]): Promise<EvalResult> {
    let last: unknown;
    for (let attempt = 0; attempt <= this.retries; attempt++) {
      try {
        const task: EvalTask = { genes: [...genes], fault };
        return (await this.pool.run(task, { signal: AbortSignal.timeout(this.timeoutMs) })) as EvalResult;
      } catch (e) {
        last = e;
      }
    }
    const why = last instanceof Error ? last.message : String(last);
    throw new Error(`evaluation of ${this.run.space.format(genes)} failed ${this.retries + 1} times (last: ${why})`);
  }

  evaluateAll(paths: readonly (readonly number[])[]): Promise<EvalResult[]> {
    return Promise.all(paths.map((g) => this.evaluate(g)));
  }

  get threads(): number {
    return this.pool.threads.length;
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }
}
