import { Queue, QueueEvents } from "bullmq";
import type { SearchSpace } from "../../nas/space.js";
import { describeWorkers, giveUpReason } from "./decisions.js";
import { evalJobId, redactUrl, type EvalJobData, type EvalJobResult, type QueueRun } from "./protocol.js";
import { checkRedis } from "./redis.js";

export interface QueueExecutorOptions {
  redis: string; queue: string; run: QueueRun; space: SearchSpace; log: (line: string) => void;
  /** Give up after Redis has been unreachable this long (default 60 s). */
  redisTimeoutSeconds?: number;
  /** Give up after jobs have waited this long with no worker on the queue (default 300 s). */
  workerTimeoutSeconds?: number;
}

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
  private readonly watchdog: NodeJS.Timeout;
  /** Since when Redis has been unreachable, and since when jobs have waited with no worker on the queue. */
  private lostSince: number | null = null;
  private idleSince: number | null = null;
  private inFlight = 0;
  private refreshing = false;
  /** Settles, rejected, when the coordinator gives up: every evaluation in flight then fails with its reason. */
  private readonly failed: Promise<never>;
  private fail!: (e: Error) => void;

  private constructor(private readonly o: QueueExecutorOptions, private readonly queue: Queue<EvalJobData, EvalJobResult>,
    private readonly events: QueueEvents) {
    this.failed = new Promise<never>((_, reject) => { this.fail = reject; });
    this.failed.catch(() => { /* observed through the evaluations that race it */ });
    // a lost connection is an 'error' event on each; unobserved, Node would print it as a crash
    const lost = () => { this.lostSince ??= performance.now(); };
    queue.on("error", lost);
    events.on("error", lost);
    this.timer = setInterval(() => void this.refreshWorkers(), 5000);
    this.timer.unref();
    // not unref'd: with Redis gone nothing else may keep the process alive until the watchdog gives up (close() clears it)
    this.watchdog = setInterval(() => this.checkWaits(), 1000);
  }

  /** Gives up, once, when Redis has been lost or jobs have had no worker for longer than allowed. */
  private checkWaits(): void {
    const reason = giveUpReason({ lostSince: this.lostSince, idleSince: this.idleSince, inFlight: this.inFlight }, performance.now(), {
      redis: redactUrl(this.o.redis), queue: this.o.queue,
      redisTimeoutSeconds: this.o.redisTimeoutSeconds ?? 60, workerTimeoutSeconds: this.o.workerTimeoutSeconds ?? 300,
    });
    if (reason !== null) this.fail(new Error(reason));
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
    x.idleSince = x.workerLine === NO_WORKER ? performance.now() : null;
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
    this.inFlight++;
    try {
      return await Promise.race([this.failed, this.run(arch, data, genes)]);
    } finally {
      this.inFlight--;
    }
  }

  private async run(arch: string, data: EvalJobData, genes: readonly number[]): Promise<EvalJobResult> {
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
    if (this.refreshing) return; // a call waiting on a lost connection: the watchdog counts that time
    this.refreshing = true;
    let names: string[];
    try {
      names = (await this.queue.getWorkers()).map((w) => String(w.rawname ?? "").replace(/^.*?:w:/, ""));
      this.lostSince = null;
    } catch {
      this.lostSince ??= performance.now();
      return;
    } finally {
      this.refreshing = false;
    }
    const line = describeWorkers(names);
    if (line === null) {
      this.workerLine = NO_WORKER;
      this.idleSince ??= performance.now();
      return;
    }
    this.idleSince = null;
    this.workerLine = line;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    clearInterval(this.watchdog);
    // closing waits on Redis; a lost one would hold the process forever, so give it a few seconds, then drop the connections
    const closed = Promise.all([this.queue.close(), this.events.close()]).then(() => true, () => false);
    const timeout = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 3000));
    if (!(await Promise.race([closed, timeout]))) {
      // not awaited: with the server gone these settle never, and nothing would keep the process alive to see it
      for (const c of [this.queue, this.events]) void c.disconnect().catch(() => { /* already gone */ });
    }
  }
}
