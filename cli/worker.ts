import { availableParallelism, homedir } from "node:os";
import { join } from "node:path";
import { DEFAULT_QUEUE } from "../workers/queue/protocol.js";
import { startQueueWorker } from "../workers/queue/worker.js";
import { UsageError, givenFlags, helpText, num, parseFlags, type FlagSpecs } from "./args.js";
import { redisUrl } from "./executor_flags.js";
import { Progress } from "./progress.js";

export const workerFlags: FlagSpecs = {
  redis: { type: "string", help: "the coordinator's Redis, redis://HOST:PORT" },
  queue: { type: "string", help: "queue name (as the coordinator's --queue)", default: DEFAULT_QUEUE },
  workers: { type: "string", help: "evaluation worker threads, each running its kernels alone, and so jobs taken at once (as 'kshot search --workers')", default: String(availableParallelism()) },
  "cache-dir": { type: "string", help: "where weights and data downloaded from a --share-url are kept, by SHA-256", default: join(homedir(), ".cache", "kshot") },
  "lock-seconds": { type: "string", help: "a job whose worker is silent this long (killed, disconnected) goes to another worker", default: "30" },
};

/** `kshot worker`: evaluates a coordinator's paths from a BullMQ queue until interrupted (SIGINT or SIGTERM finish the jobs in hand first). */
export async function workerCommand(argv: string[]): Promise<void> {
  const cmd = "kshot worker";
  if (givenFlags(argv).has("threads")) throw new UsageError(`${cmd}: --threads counts kernel threads elsewhere; a worker's evaluations run one kernel thread each: give their count as --workers`);
  const f = parseFlags(cmd, argv, workerFlags);
  if (f.help) {
    process.stdout.write(helpText(`usage: ${cmd} --redis redis://HOST:PORT [options]`,
      "Takes path evaluations of 'kshot search --executor bullmq' or 'kshot run --executor bullmq' from a Redis queue\nand runs them on this machine's worker threads. Runs until interrupted.", workerFlags));
    return;
  }
  if (f.redis === undefined) throw new UsageError(`${cmd}: give --redis redis://HOST:PORT`);
  const redis = redisUrl(cmd, f.redis);
  const threads = num(cmd, "workers", f.workers, { integer: true, min: 1 });
  const lockMs = num(cmd, "lock-seconds", f["lock-seconds"], { min: 1 }) * 1000;
  const progress = new Progress();
  const worker = await startQueueWorker({
    redis, queue: String(f.queue), threads, cacheDir: String(f["cache-dir"]), lockMs, log: (line) => progress.log(line),
  });
  await new Promise<void>((stop) => {
    const onSignal = (signal: string) => {
      progress.log(`${signal}: finishing the jobs in hand, then stopping`);
      process.off("SIGINT", onSignal).off("SIGTERM", onSignal);
      stop();
    };
    process.on("SIGINT", onSignal).on("SIGTERM", onSignal);
  });
  await worker.close();
}
