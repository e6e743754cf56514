import type { KernelSet } from "../../engine/index.js";
import type { SearchSpace } from "../../nas/space.js";
import { KSHOT_VERSION, parseWorkerName, type QueueRun } from "./protocol.js";

// The queue's decisions, apart from BullMQ and Redis so that they can be
// tested in milliseconds: which jobs a worker refuses, how the coordinator
// describes its workers, and when it gives up waiting.

/** Why a worker refuses every job of this run (another kshot version or kernel set), or null. */
export function runRefusal(run: QueueRun, arch: string, worker: string, kernels: KernelSet): string | null {
  if (run.version !== KSHOT_VERSION) {
    return `${arch}: worker ${worker} runs kshot ${KSHOT_VERSION} and refuses jobs from kshot ${run.version}: run the same version on the coordinator and every worker`;
  }
  if (run.kernels !== kernels) {
    return `${arch}: worker ${worker} has the ${kernels} CPU kernels and refuses jobs scored with the ${run.kernels} ones (they round differently): start it with KSHOT_KERNELS=${run.kernels}${run.kernels === "fma" ? " where the CPU has FMA" : ""}`;
  }
  return null;
}

/** Why genes are not an architecture of the space, or null. */
export function invalidGenes(space: SearchSpace, genes: readonly number[]): string | null {
  if (!Array.isArray(genes) || genes.length !== space.genes.length) return `expected ${space.genes.length} genes, received ${Array.isArray(genes) ? genes.length : typeof genes}`;
  for (const [i, g] of space.genes.entries()) {
    const v = genes[i]!;
    if (!(Number.isInteger(v) && v >= 0 && v < g.choices.length)) return `gene ${i} is ${v}, expected 0..${g.choices.length - 1}`;
  }
  return null;
}

/** The coordinator's progress line on the workers connected (their names on the queue), or null when none is. */
export function describeWorkers(names: readonly string[]): string | null {
  const parsed = names.map(parseWorkerName).filter((w) => w !== null);
  if (parsed.length === 0) return null;
  const threads = parsed.reduce((a, w) => a + w.threads, 0);
  const hosts = new Set(parsed.map((w) => w.host)).size;
  const other = parsed.filter((w) => w.version !== KSHOT_VERSION);
  return `${parsed.length} worker(s) on ${hosts} host(s), ${threads} thread(s)` +
    (other.length > 0 ? `; ${other.length} run another kshot (${[...new Set(other.map((w) => w.version))].join(", ")}) and refuse this run's jobs` : "");
}

export interface WaitState {
  /** Milliseconds (performance.now()) since Redis has been unreachable, and since jobs have waited with no worker on the queue. */
  lostSince: number | null; idleSince: number | null;
  inFlight: number;
}

/**
 * Why the coordinator gives up now, or null: Redis lost for longer than
 * `redisTimeoutSeconds`, or jobs in flight with no worker on the queue for
 * longer than `workerTimeoutSeconds`. `redis` is the URL as it may be shown.
 */
export function giveUpReason(s: WaitState, now: number, o: { redis: string; queue: string; redisTimeoutSeconds: number; workerTimeoutSeconds: number }): string | null {
  const redisLimit = o.redisTimeoutSeconds * 1000, workerLimit = o.workerTimeoutSeconds * 1000;
  if (s.lostSince !== null && now - s.lostSince > redisLimit) {
    return `lost Redis at ${o.redis} for ${Math.round((now - s.lostSince) / 1000)} s (--redis-timeout ${o.redisTimeoutSeconds}); the finished evaluations are kept there: rerun the same command once it is back to reuse them`;
  }
  if (s.idleSince !== null && s.inFlight > 0 && now - s.idleSince > workerLimit) {
    return `no worker has listened on queue '${o.queue}' at ${o.redis} for ${Math.round((now - s.idleSince) / 1000)} s (--worker-timeout ${o.workerTimeoutSeconds}); start one with: kshot worker --redis ${o.redis} --queue ${o.queue}`;
  }
  return null;
}
