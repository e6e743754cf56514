import { Queue, QueueEvents } from "bullmq";
import type { SearchSpace } from "../../nas/space.js";
import { KSHOT_VERSION, evalJobId, parseWorkerName, redactUrl, type EvalJobData, type EvalJobResult, type QueueRun } from "./protocol.js";
import { checkRedis } from "./redis.js";

export interface QueueExecutorOptions { redis: string; queue: string; run: QueueRun; space: SearchSpace; log: (line: string) => void }

const NO_WORKER = "no worker connected yet";

/** Keep finished jobs (results and failures) this long, for restarts and other searches of the same run. */
const KEEP_SECONDS = 7 * 24 * 3600;

/**
 * The coordinator's side of a search on BullMQ: one job per path (its id
 * names the run, the weights, the data and the path, so a finished result is
 * reused), retried with exponential backoff when it fails transiently, its
 * result returned to the caller's slot. Keeps a line on the connected
 * workers for progress.
 */
export class QueueExecutor {
  private workerLine = NO_WORKER;
  private readonly timer: NodeJS.Timeout;

  private constructor(private readonly o: QueueExecutorOptions, private readonly queue: Queue<EvalJobData, EvalJobResult>,
    private readonly events: QueueEvents) {
    this.timer = setInterval(() => void this.refreshWorkers(), 5000);
    this.timer.unref();
  }

  static async open(o: QueueExecutorOptions): Promise<QueueExecutor> {
    await checkRedis(o.redis, o.log);
    const connection = { url: o.redis };
    const queue = new Queue<EvalJobData, EvalJobResult>(o.queue, { connection });
    const events = new QueueEvents(o.queue, { connection });
    // a listener per job in flight: a generation adds and awaits its whole population at once
    queue.setMaxListeners(0);
    events.setMaxListeners(0);
    await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
    const x = new QueueExecutor(o, queue, events);
    await x.refreshWorkers();
    if (x.workerLine === NO_WORKER) {
      o.log(`queue '${o.queue}' at ${redactUrl(o.redis)}: no worker connected yet; jobs wait until one runs 'kshot worker --redis ${redactUrl(o.redis)} --queue ${o.queue}'`);
    }
    return x;
  }

  /** The connected workers, for progress lines: how many, their threads, and any of another kshot version. */
  get workers(): string {
    return this.workerLine;
  }

  async evaluate(genes: readonly number[]): Promise<EvalJobResult> {
    const arch = this.o.space.format(genes);
    const data: EvalJobData = { run: this.o.run, genes: [...genes], arch };
    const job = await this.queue.add("evaluate", data, {
      jobId: evalJobId(this.o.run, genes), attempts: 4, backoff: { type: "exponential", delay: 1000 },
      removeOnComplete: { age: KEEP_SECONDS }, removeOnFail: { age: KEEP_SECONDS },
    });
    // a job that failed for good before (a killed coordinator's last run) gets another chance
    if (await job.getState() === "failed") await job.retry();
    try {
      return await job.waitUntilFinished(this.events);
    } catch (e) {
      throw new Error(`evaluation of ${arch} failed on queue '${this.o.queue}': ${(e as Error).message}`);
    }
  }

  private async refreshWorkers(): Promise<void> {
    let names: string[];
    try {
      names = (await this.queue.getWorkers()).map((w) => String(w.rawname ?? "").replace(/^.*?:w:/, ""));
    } catch {
      return; // progress only; the jobs' own calls report a lost connection
    }
    const parsed = names.map(parseWorkerName).filter((w) => w !== null);
    if (parsed.length === 0) {
      this.workerLine = NO_WORKER;
      return;
    }
    const threads = parsed.reduce((a, w) => a + w.threads, 0);
    const hosts = new Set(parsed.map((w) => w.host)).size;
    const other = parsed.filter((w) => w.version !== KSHOT_VERSION);
    this.workerLine = `${parsed.length} worker(s) on ${hosts} host(s), ${threads} thread(s)` +
      (other.length > 0 ? `; ${other.length} run another kshot (${[...new Set(other.map((w) => w.version))].join(", ")}) and refuse this run's jobs` : "");
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await Promise.all([this.queue.close(), this.events.close()]);
  }
}
