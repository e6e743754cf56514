import { taskFile } from "./task_file.js";
import { Piscina } from "piscina";
import type { Tensor } from "../engine/index.js";
import type { ImageDataset } from "../data/dataset.js";
import type { SearchSpace } from "../nas/space.js";
import { modelState, type SupernetSession, type SupernetConfig } from "../nas/supernet/session.js";
import type { DataRecipe } from "../train/fit.js";
import type { EvalResult, EvalTask, EvalWorkerData } from "./eval_task.js";
import { packTensors, shareDataset, type SharedArena } from "./shared_state.js";

/** Images per forward pass when scoring a path; scores depend on it (BN uses each pass's batch statistics), so every evaluator of a search uses the same. */
export const DEFAULT_EVAL_BATCH = 250;

/** What evaluating paths needs: the run's config and space, its weights by arena name, the validation split and its recipe. */
export interface EvaluationSource {
  config: SupernetConfig;
  space: SearchSpace;
  state: ReadonlyMap<string, Tensor>;
  val: ImageDataset;
  recipe: DataRecipe;
}

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
  static async create(session: SupernetSession, o: EvaluatorPoolOptions): Promise<EvaluatorPool> {
    return EvaluatorPool.fromState({ ...session, state: modelState(session) }, o);
  }

  /**
   * Starts the workers over what evaluation needs, without a trained run in
   * this process: a queue worker builds it from a checkpoint's tensors
   * ("supernet.*", "simplex.*", copied once; the caller keeps them).
   */
  static async fromState(src: EvaluationSource, o: EvaluatorPoolOptions): Promise<EvaluatorPool> {
    if (!(Number.isInteger(o.workers) && o.workers >= 1)) throw new Error(`evaluator pool: expected workers >= 1, received ${o.workers}`);
    return new EvaluatorPool(src, o, await packTensors(src.state));
  }

  private constructor(private readonly src: EvaluationSource, o: EvaluatorPoolOptions, arena: SharedArena) {
    const val = shareDataset(src.val);
    let faults: SharedArrayBuffer | undefined;
    if (o.faults !== undefined) {
      faults = new SharedArrayBuffer(4);
      new Int32Array(faults)[0] = o.faults;
    }
    const workerData: EvalWorkerData = { config: src.config, arena, val, recipe: src.recipe, batchSize: o.batchSize ?? DEFAULT_EVAL_BATCH, faults };
    this.sharedBytes = arena.buffer.byteLength + val.images.byteLength + val.labels.byteLength;
    this.timeoutMs = o.timeoutMs ?? 120_000;
    this.retries = o.retries ?? 2;
    this.pool = new Piscina({
      filename: taskFile("eval_task", import.meta.url),
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
    throw new Error(`evaluation of ${this.src.space.format(genes)} failed ${this.retries + 1} times (last: ${why})`);
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
