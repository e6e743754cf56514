// `npm run bench:executor [-- --json] [--quick]`: paths evaluated per second
// by the local worker pool (2 threads) and by 2 `kshot worker` processes
// (1 thread each) over a BullMQ queue on Redis, on the main job's supernet
// (NAS-Bench-201 C=8 N=1 K=4, 500 validation images per path), in
// alternating rounds; prints each rate and the queue's overhead per
// evaluation. Redis: $KSHOT_TEST_REDIS, else a private redis-server.
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Rng } from "../engine/index.js";
import { sampleFunctions } from "../nas/space.js";
import { buildSupernetSession, saveSupernetCheckpoint } from "../nas/supernet/session.js";
import { DEFAULT_SUPERNET_OPTIONS } from "../nas/supernet/trainer.js";
import { EMBEDDED_FASHION_MNIST } from "../train/datasets.js";
import { openExecutor, type ExecutorSpec } from "../workers/executor.js";
import { testRedis } from "../test/helpers/redis.js";
import { median } from "./timing.js";

const json = process.argv.includes("--json");
const quick = process.argv.includes("--quick");
const count = quick ? 12 : 60, rounds = quick ? 1 : 3;
const redis = await testRedis();
if (redis === null) throw new Error("bench:executor needs redis-server (apt-get install redis-server) or KSHOT_TEST_REDIS");

const dir = mkdtempSync(join(tmpdir(), "kshot-bench-executor-"));
const run = buildSupernetSession({
  ...DEFAULT_SUPERNET_OPTIONS, space: "nb201", mode: "kshot", K: 4, C: 8, N: 1, dataset: "fashion-mnist", dataDir: EMBEDDED_FASHION_MNIST,
  trainLimit: 1000, valSize: 500, epochs: 1, warmupEpochs: 1, batchSize: 64, hidden: 100, seed: 0,
});
const checkpoint = join(dir, "supernet.safetensors");
await saveSupernetCheckpoint(checkpoint, run);
const paths = sampleFunctions(run.space, count + 2, new Rng(1));
const warm = paths.slice(0, 2), timed = paths.slice(2);

const queue = `bench-${process.pid}`;
const workers = [0, 1].map(() => spawn(process.execPath, ["--import", "tsx", "cli/bin.ts", "worker", "--redis", redis.url, "--queue", queue, "--workers", "1"],
  { stdio: ["ignore", "ignore", "pipe"] }));
await Promise.all(workers.map((w) => new Promise<void>((ok) => {
  let err = "";
  w.stderr!.on("data", (d: Buffer) => { err += d.toString(); if (err.includes("on queue")) ok(); });
})));

/** Evaluations per second of one round: the executor opened and warmed (its workers' models built) before the clock starts. */
async function rate(spec: ExecutorSpec, round: number): Promise<number> {
  const x = await openExecutor(spec.kind === "bullmq" ? { ...spec, runId: `warm-${round}` } : spec, run, checkpoint, dir, () => {});
  await Promise.all(warm.map((g) => x.evaluate(g)));
  let y = x;
  if (spec.kind === "bullmq") {
    await x.close(); // a fresh run id, so that nothing is reused from an earlier round
    y = await openExecutor({ ...spec, runId: `timed-${round}-${Date.now()}` }, run, checkpoint, dir, () => {});
  }
  const t0 = performance.now();
  await Promise.all(timed.map((g) => y.evaluate(g)));
  const r = timed.length / ((performance.now() - t0) / 1000);
  await y.close();
  return r;
}

const local: number[] = [], queued: number[] = [];
try {
  for (let round = 0; round < rounds; round++) {
    local.push(await rate({ kind: "local", workers: 2 }, round));
    queued.push(await rate({ kind: "bullmq", redis: redis.url, queue }, round));
    if (json) console.log(JSON.stringify({ case: "executor round", round, local_evals_per_second: local[round], bullmq_evals_per_second: queued[round] }));
  }
} finally {
  for (const w of workers) w.kill("SIGTERM");
  await redis.stop();
}
const l = median(local), b = median(queued);
const overhead = l / b - 1;
if (json) console.log(JSON.stringify({ case: "executor", paths: timed.length, rounds, local_evals_per_second: l, bullmq_evals_per_second: b, overhead_per_evaluation: overhead }));
else {
  console.log(`${timed.length} paths per round, ${rounds} round(s), median rates:`);
  console.log(`local pool, 2 threads:              ${l.toFixed(2)} paths/s  (${(1000 / l).toFixed(1)} ms each)`);
  console.log(`BullMQ, 2 worker processes x 1:     ${b.toFixed(2)} paths/s  (${(1000 / b).toFixed(1)} ms each)`);
  console.log(`queue overhead per evaluation: ${(overhead * 100).toFixed(1)}%`);
}
