import { kernelSet } from "../engine/index.js";
import { createHash } from "node:crypto";
import { join, resolve } from "node:path";
import { writeFileAtomic } from "../data/files.js";
import { encodeDataset } from "../data/dataset_file.js";
import type { PathEvaluator } from "../nas/search/supernet_search.js";
import type { SupernetSession } from "../nas/supernet/session.js";
import { DEFAULT_EVAL_BATCH, EvaluatorPool } from "./pool.js";
import { fileArtifact, serveArtifacts } from "./queue/artifacts.js";
import { QueueExecutor } from "./queue/coordinator.js";
import { DEFAULT_QUEUE, KSHOT_VERSION, checkRunId, redactUrl, type QueueRun } from "./queue/protocol.js";

/** Where a search's evaluations run: this machine's worker pool, or BullMQ workers anywhere that reach one Redis. */
/** A BullMQ queue that evaluates a search's paths, on workers anywhere that reach its Redis. */
export interface QueueSpec {
  redis: string; queue?: string;
  /** Names the search's jobs; default derived from the output directory, so a rerun reuses finished results. */
  runId?: string;
  /** Serve the weights and validation data at this http://HOST:PORT instead of publishing their paths. */
  shareUrl?: string;
  /** Give up after Redis has been unreachable, or jobs have had no worker, this long. */
  redisTimeoutSeconds?: number;
  workerTimeoutSeconds?: number;
}

export type ExecutorSpec = { kind: "local"; workers: number } | ({ kind: "bullmq" } & QueueSpec);

export interface Executor extends PathEvaluator {
  /** One line for the start of the search: where the evaluations run and on what. */
  readonly description: string;
  /** One short line for progress: the evaluators now at work. */
  status(): string;
  close(): Promise<void>;
}

export function defaultRunId(out: string): string {
  return `kshot-${createHash("sha256").update(resolve(out)).digest("hex").slice(0, 12)}`;
}

/**
 * Opens the spec's executor for a trained run. The queue needs the run's
 * checkpoint (the weights it publishes); the validation split is written
 * into `out` as validation.kds and published beside it.
 */
export async function openExecutor(spec: ExecutorSpec, session: SupernetSession, checkpoint: string | undefined, out: string,
  log: (line: string) => void): Promise<Executor> {
  if (spec.kind === "local") {
    const pool = await EvaluatorPool.create(session, { workers: spec.workers });
    return {
      description: `${spec.workers} local workers reading ${(pool.sharedBytes / 2 ** 20).toFixed(1)} MiB of shared weights and validation data`,
      evaluate: (genes) => pool.evaluate(genes),
      status: () => `${spec.workers} local workers`,
      close: () => pool.close(),
    };
  }
  if (checkpoint === undefined) throw new Error("the bullmq executor publishes the supernet's checkpoint: search a checkpoint file");
  const queue = spec.queue ?? DEFAULT_QUEUE;
  const runId = checkRunId(spec.runId ?? defaultRunId(out));
  const valPath = join(out, "validation.kds");
  writeFileAtomic(valPath, encodeDataset(session.val));
  let files = [fileArtifact(checkpoint), fileArtifact(valPath)];
  let stopServing = async () => {};
  if (spec.shareUrl !== undefined) {
    const served = await serveArtifacts(spec.shareUrl, files);
    files = served.artifacts;
    stopServing = served.close;
  }
  const queueRun: QueueRun = { runId, version: KSHOT_VERSION, weights: files[0]!, validation: files[1]!, batchSize: DEFAULT_EVAL_BATCH, kernels: kernelSet() };
  let x: QueueExecutor;
  try {
    x = await QueueExecutor.open({
      redis: spec.redis, queue, run: queueRun, space: session.space, log,
      redisTimeoutSeconds: spec.redisTimeoutSeconds, workerTimeoutSeconds: spec.workerTimeoutSeconds,
    });
  } catch (e) {
    await stopServing();
    throw e;
  }
  return {
    description: `BullMQ queue '${queue}' at ${redactUrl(spec.redis)}, run ${runId}: weights ${queueRun.weights.ref} (SHA-256 ${queueRun.weights.sha256.slice(0, 12)}), ` +
      `${session.val.count} validation images ${queueRun.validation.ref}`,
    evaluate: (genes) => x.evaluate(genes),
    status: () => x.workers,
    close: async () => { await x.close(); await stopServing(); },
  };
}
