import { kernelSet } from "../../engine/index.js";
import { hostname } from "node:os";
import { UnrecoverableError, Worker, type Job } from "bullmq";
import type { ImageDataset } from "../../data/dataset.js";
import { decodeDataset } from "../../data/dataset_file.js";
import { buildSearchSpace, readSupernetWeights } from "../../nas/supernet/session.js";
import { DATA_RECIPES } from "../../train/datasets.js";
import { EvaluatorPool } from "../pool.js";
import type { EvalResult } from "../eval_task.js";
import type { SearchSpace } from "../../nas/space.js";
import { BadArtifactError, fetchArtifact } from "./artifacts.js";
import { invalidGenes, runRefusal } from "./decisions.js";
import { redactUrl, workerName, type EvalJobData, type EvalJobResult, type QueueRun } from "./protocol.js";
import { checkRedis } from "./redis.js";

export interface QueueWorkerOptions {
  redis: string;
  queue: string;
  /** Evaluation threads: the local pool's workers, each running its kernels alone, and the jobs taken at once. */
  threads: number;
  /** Where downloaded artifacts are kept, by hash. */
  cacheDir: string;
  /** A job whose worker stops renewing its lock for this long is handed to another worker. */
  lockMs?: number;
  log: (line: string) => void;
  /** Tests only: the first `transient` jobs fail once with an ordinary error; the first `hang` jobs never finish. */
  faults?: { transient?: number; hang?: number };
}

export interface QueueWorker { name: string; close(): Promise<void> }

interface LoadedRun { pool: EvaluatorPool; space: SearchSpace }

/**
 * A long-running evaluation worker: takes jobs from the queue and scores
 * their paths on a local piscina pool, so the main thread stays free to
 * renew job locks. The pool is built once per published run (weights and
 * validation data fetched by reference and checked against their hashes)
 * and replaced when jobs of another run arrive.
 */
export async function startQueueWorker(o: QueueWorkerOptions): Promise<QueueWorker> {
  await checkRedis(o.redis, o.log);
  const name = workerName(hostname(), process.pid, o.threads);
  // pools by run; the newest stays, an older one closes when its last job ends
  const runs = new Map<string, { pool: Promise<LoadedRun>; active: number }>();
  let newest = "";
  let done = 0;
  const faults = { transient: o.faults?.transient ?? 0, hang: o.faults?.hang ?? 0 };

  const load = async (run: QueueRun): Promise<LoadedRun> => {
    const t0 = performance.now();
    const weightBytes = await fetchArtifact(run.weights, o.cacheDir);
    const valBytes = await fetchArtifact(run.validation, o.cacheDir);
    let val: ImageDataset, weights: ReturnType<typeof readSupernetWeights>;
    try {
      val = decodeDataset(valBytes, run.validation.ref);
      weights = readSupernetWeights(weightBytes, run.weights.ref);
    } catch (e) {
      throw new BadArtifactError((e as Error).message);
    }
    const { config, state } = weights;
    try {
      const space = buildSearchSpace(config, val);
      const pool = await EvaluatorPool.fromState({ config, space, state, val, recipe: DATA_RECIPES[config.dataset] },
        { workers: o.threads, batchSize: run.batchSize, retries: 0 });
      o.log(`run ${run.runId}: weights ${run.weights.sha256.slice(0, 12)} and ${val.count} validation images checked and loaded in ` +
        `${((performance.now() - t0) / 1000).toFixed(1)} s; ${o.threads} evaluation thread(s)`);
      return { pool, space };
    } finally {
      for (const t of state.values()) t.dispose();
    }
  };

  const closeIdle = () => {
    for (const [key, r] of runs) {
      if (key === newest || r.active > 0) continue;
      runs.delete(key);
      void r.pool.then((p) => p.pool.close(), () => undefined);
    }
  };

  /** The run's pool, for one job: release it with `done`. */
  const acquire = async (run: QueueRun): Promise<{ r: LoadedRun; done: () => void }> => {
    const key = runKey(run);
    let entry = runs.get(key);
    if (entry === undefined) {
      entry = { pool: load(run), active: 0 };
      runs.set(key, entry);
      newest = key;
      closeIdle();
    }
    entry.active++;
    const release = () => { entry.active--; closeIdle(); };
    try {
      return { r: await entry.pool, done: release };
    } catch (e) {
      release();
      if (runs.get(key) === entry) runs.delete(key); // the next job of this run tries again
      throw e;
    }
  };

  const processor = async (job: Job<EvalJobData, EvalJobResult>): Promise<EvalJobResult> => {
    const { run, genes, arch } = job.data;
    const refusal = runRefusal(run, arch, name, kernelSet());
    if (refusal !== null) throw new UnrecoverableError(refusal);
    let held: { r: LoadedRun; done: () => void };
    try {
      held = await acquire(run);
    } catch (e) {
      if (e instanceof BadArtifactError) throw new UnrecoverableError(`${arch}: worker ${name} cannot use the published run: ${e.message}`);
      throw e;
    }
    let e: EvalResult;
    try {
      const invalid = invalidGenes(held.r.space, genes);
      if (invalid !== null) throw new UnrecoverableError(`invalid architecture ${arch} (genes ${JSON.stringify(genes)}): ${invalid}`);
      if (faults.hang > 0) {
        faults.hang--;
        o.log(`fault: job ${job.id} hangs (tests)`);
        await new Promise(() => { /* never settles: the process is killed and the job stalls */ });
      }
      if (faults.transient > 0 && job.attemptsMade === 0) {
        faults.transient--;
        throw new Error(`injected transient failure of ${arch} (tests)`);
      }
      e = await held.r.pool.evaluate(genes);
    } finally {
      held.done();
    }
    if (!Number.isFinite(e.acc)) throw new UnrecoverableError(`${arch}: accuracy is ${e.acc} (the supernet gives non-finite outputs on this path)`);
    if (++done % 50 === 0) o.log(`${done} paths evaluated`);
    return { acc: e.acc, lambda: e.lambda, params: e.params, macs: e.macs, mflops: e.mflops, worker: name };
  };

  const lockMs = o.lockMs ?? 30_000;
  const worker = new Worker<EvalJobData, EvalJobResult>(o.queue, processor, {
    connection: { url: o.redis }, concurrency: o.threads, name,
    lockDuration: lockMs, stalledInterval: Math.max(500, Math.round(lockMs / 2)), maxStalledCount: 2,
  });
  worker.on("failed", (job, err) => o.log(`job ${job?.data.arch ?? "?"} failed (attempt ${job?.attemptsMade ?? "?"}): ${err.message}`));
  worker.on("error", (err) => o.log(`queue error: ${err.message}`));
  await worker.waitUntilReady();
  o.log(`worker ${name} on queue '${o.queue}' at ${redactUrl(o.redis)}: ${o.threads} evaluation thread(s)`);
  return {
    name,
    async close() {
      await worker.close();
      const pools = [...runs.values()].map((r) => r.pool);
      runs.clear();
      await Promise.all(pools.map((p) => p.then((l) => l.pool.close(), () => undefined)));
    },
  };
}

function runKey(run: QueueRun): string {
  return `${run.weights.sha256}.${run.validation.sha256}.${run.batchSize}`;
}
