import type { ExecutorSpec } from "../workers/executor.js";
import { DEFAULT_QUEUE, RUN_ID } from "../workers/queue/protocol.js";
import { UsageError, num, type FlagSpecs } from "./args.js";

/** The flags that choose where a search's paths are evaluated (kshot search --supernet, kshot run). */
export const executorFlags: FlagSpecs = {
  executor: { type: "string", help: "where paths are evaluated: local (this machine's worker pool) or bullmq (kshot worker processes on a Redis queue)", default: "local" },
  redis: { type: "string", help: "with --executor bullmq: the Redis URL, redis://HOST:PORT (maxmemory-policy noeviction)" },
  queue: { type: "string", help: `with --executor bullmq: queue name`, default: DEFAULT_QUEUE },
  "run-id": { type: "string", help: "with --executor bullmq: names the jobs; a rerun with the same id reuses finished evaluations (default: derived from --out)" },
  "redis-timeout": { type: "string", help: "with --executor bullmq: seconds without Redis before the search gives up", default: "60" },
  "worker-timeout": { type: "string", help: "with --executor bullmq: seconds that jobs may wait with no worker on the queue before the search gives up", default: "300" },
  "share-url": { type: "string", help: "with --executor bullmq: serve the weights and validation data at http://HOST:PORT (HOST as the workers reach this machine) instead of publishing their paths on a shared file system" },
};

export function executorSpec(cmd: string, f: Record<string, string | boolean | undefined>, workers: number, given: ReadonlySet<string>): ExecutorSpec {
  const queueOnly = ["redis", "run-id", "share-url", "queue", "redis-timeout", "worker-timeout"].filter((k) => given.has(k));
  const seconds = (name: string) => num(cmd, name, f[name], { min: 1 });
  if (f.executor === "local") {
    if (queueOnly.length > 0) throw new UsageError(`${cmd}: --${queueOnly[0]} needs --executor bullmq`);
    return { kind: "local", workers };
  }
  if (f.executor !== "bullmq") throw new UsageError(`${cmd}: --executor expects local or bullmq, received '${String(f.executor)}'`);
  if (f.redis === undefined) throw new UsageError(`${cmd}: --executor bullmq needs --redis redis://HOST:PORT`);
  const redis = redisUrl(cmd, f.redis);
  const queue = String(f.queue);
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(queue)) throw new UsageError(`${cmd}: --queue expects 1-64 letters, digits, '.', '-' or '_', received '${queue}'`);
  const runId = f["run-id"] === undefined ? undefined : String(f["run-id"]);
  if (runId !== undefined && !RUN_ID.test(runId)) throw new UsageError(`${cmd}: --run-id expects 1-64 letters, digits, '-' or '_', received '${runId}'`);
  const shareUrl = f["share-url"] === undefined ? undefined : String(f["share-url"]);
  return { kind: "bullmq", redis, queue, runId, shareUrl, redisTimeoutSeconds: seconds("redis-timeout"), workerTimeoutSeconds: seconds("worker-timeout") };
}

/** --redis: a redis:// (or rediss://) URL. */
export function redisUrl(cmd: string, v: unknown): string {
  if (typeof v !== "string" || !/^rediss?:\/\/./.test(v)) throw new UsageError(`${cmd}: --redis expects redis://HOST:PORT (or rediss:// for TLS), received '${String(v)}'`);
  return v;
}
