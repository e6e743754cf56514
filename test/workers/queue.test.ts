import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Queue, QueueEvents } from "bullmq";
import { encodeDataset } from "../../data/dataset_file.js";
import { Rng, kernelSet, tensor } from "../../engine/index.js";
import { sampleGenes } from "../../nas/space.js";
import { buildSupernetSession, loadSupernetCheckpoint, saveSupernetCheckpoint, type SupernetSession } from "../../nas/supernet/session.js";
import { DEFAULT_SUPERNET_OPTIONS } from "../../nas/supernet/trainer.js";
import { EMBEDDED_FASHION_MNIST } from "../../train/datasets.js";
import { openExecutor } from "../../workers/executor.js";
import { EvaluatorPool } from "../../workers/pool.js";
import { fileArtifact } from "../../workers/queue/artifacts.js";
import { KSHOT_VERSION, type EvalJobData, type EvalJobResult, type QueueRun } from "../../workers/queue/protocol.js";
import { startQueueWorker } from "../../workers/queue/worker.js";
import { QueueExecutor } from "../../workers/queue/coordinator.js";
import { freePort, privateRedis, testRedis } from "../helpers/redis.js";
import { KSHOT } from "../helpers/cli.js";
import { tempDir } from "../helpers/temp_dir.js";

const redis = await testRedis();
after(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  await redis?.stop();
});
const dir = tempDir("kshot-queue-");
const checkpoint = join(dir, "supernet.safetensors");
let run: SupernetSession;

/** Every child started, so that a failing test does not leave workers running. */
const children: ChildProcess[] = [];

/** A child process with its stderr kept, to wait for a line or its exit. */
class Child {
  stderr = "";
  readonly exited: Promise<number | null>;
  constructor(readonly proc: ChildProcess) {
    children.push(proc);
    proc.stderr!.on("data", (d: Buffer) => { this.stderr += d.toString(); });
    proc.stdout!.resume();
    this.exited = new Promise((ok) => proc.once("exit", (code) => ok(code)));
  }
  static kshot(args: string[]): Child {
    return new Child(spawn(process.execPath, [...KSHOT, ...args], { stdio: ["ignore", "pipe", "pipe"] }));
  }
  static faultyWorker(o: object): Child {
    return new Child(spawn(process.execPath, ["--import", "tsx", "test/fixtures/queue_worker.ts", JSON.stringify(o)], { stdio: ["ignore", "pipe", "pipe"] }));
  }
  async waitFor(re: RegExp, ms = 60_000): Promise<void> {
    const t0 = performance.now();
    while (!re.test(this.stderr)) {
      if (performance.now() - t0 > ms) throw new Error(`no ${re} within ${ms} ms; stderr:\n${this.stderr}`);
      if (this.proc.exitCode !== null) throw new Error(`exited (${this.proc.exitCode}) before ${re}; stderr:\n${this.stderr}`);
      await new Promise((ok) => setTimeout(ok, 50));
    }
  }
  async succeeded(): Promise<void> {
    const code = await this.exited;
    assert.equal(code, 0, `exit ${code}; stderr:\n${this.stderr}`);
  }
}

// queue names of this test run only, should KSHOT_TEST_REDIS be a server that outlives it
const q = (name: string) => `${name}-${process.pid}`;
const search = ["search", "--supernet", checkpoint, "--evaluations", "24", "--population", "8", "--seed", "3"];
const outputs = (out: string) => ["front.json", "evaluated.json"].map((f) => JSON.parse(readFileSync(join(out, f), "utf8")) as unknown);

describe("search on a BullMQ queue", { skip: redis === null && "no redis-server (install it, or set KSHOT_TEST_REDIS)" }, () => {
  before(async () => {
    const r = buildSupernetSession({
      ...DEFAULT_SUPERNET_OPTIONS, space: "nb201", mode: "kshot", K: 3, C: 4, N: 1, dataset: "fashion-mnist", dataDir: EMBEDDED_FASHION_MNIST,
      trainLimit: 160, valSize: 60, epochs: 1, warmupEpochs: 1, batchSize: 32, m: 4, simplexBatch: 32, hidden: 16, seed: 5,
    });
    await r.trainer.runEpoch();
    await saveSupernetCheckpoint(checkpoint, r);
    run = loadSupernetCheckpoint(checkpoint);
    writeFileSync(join(dir, "validation.kds"), encodeDataset(run.val));
  });
  after(() => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  });

  it("gives the local pool's front with 1 worker and with 3 workers, one failing transiently and one killed mid-job", { timeout: 180_000 }, async () => {
    const local = Child.kshot([...search, "--workers", "2", "--out", join(dir, "local")]);
    await local.succeeded();

    const one = Child.kshot(["worker", "--redis", redis!.url, "--queue", q("q1"), "--workers", "2", "--lock-seconds", "2"]);
    await one.waitFor(new RegExp(`on queue '${q("q1")}'`));
    const c1 = Child.kshot([...search, "--executor", "bullmq", "--redis", redis!.url, "--queue", q("q1"), "--run-id", "one", "--out", join(dir, "one")]);
    await c1.succeeded();
    one.proc.kill("SIGTERM");
    await one.exited;

    const common = { redis: redis!.url, queue: q("q3"), threads: 1, cacheDir: join(dir, "cache"), lockMs: 2000 };
    const flaky = Child.faultyWorker({ ...common, faults: { transient: 1 } });
    const doomed = Child.faultyWorker({ ...common, faults: { hang: 1 } });
    const plain = Child.kshot(["worker", "--redis", redis!.url, "--queue", q("q3"), "--workers", "1", "--lock-seconds", "2"]);
    await Promise.all([flaky, doomed, plain].map((w) => w.waitFor(new RegExp(`on queue '${q("q3")}'`))));
    const c3 = Child.kshot([...search, "--executor", "bullmq", "--redis", redis!.url, "--queue", q("q3"), "--run-id", "three", "--out", join(dir, "three")]);
    await doomed.waitFor(/fault: job .* hangs/);
    doomed.proc.kill("SIGKILL");
    await c3.succeeded();
    for (const w of [flaky, plain]) w.proc.kill("SIGTERM");
    await Promise.all([flaky.exited, plain.exited]);

    assert.match(flaky.stderr, /failed \(attempt 1\): injected transient failure/);
    assert.match(c3.stderr, /3 worker\(s\) on 1 host\(s\), 3 thread\(s\)|2 worker\(s\) on 1 host\(s\), 2 thread\(s\)/, "progress names the connected workers");
    const queue = new Queue<EvalJobData, EvalJobResult>(q("q3"), { connection: { url: redis!.url } });
    try {
      const done = await queue.getCompleted(0, -1);
      assert.equal(done.length, 24);
      const retried = done.filter((j) => j.attemptsMade > 1), stalled = done.filter((j) => j.stalledCounter > 0);
      assert.equal(retried.length, 1, "the transient failure was retried");
      assert.equal(stalled.length, 1, "the killed worker's job was taken over");
      assert.ok(!stalled[0]!.returnvalue.worker.includes(`/${doomed.proc.pid}/`), "by another worker");
      assert.equal((await queue.getFailed()).length, 0);
    } finally {
      await queue.close();
    }
    const expected = outputs(join(dir, "local"));
    assert.deepEqual(outputs(join(dir, "one")), expected);
    assert.deepEqual(outputs(join(dir, "three")), expected);
  });

  it("fails deterministic errors at once, naming the architecture: invalid arch, NaN weights, another version, another kernel set, another hash", { timeout: 60_000 }, async () => {
    const worker = await startQueueWorker({ redis: redis!.url, queue: q("qd"), threads: 1, cacheDir: join(dir, "cache"), log: () => {} });
    const connection = { url: redis!.url };
    const queue = new Queue<EvalJobData, EvalJobResult>(q("qd"), { connection });
    const events = new QueueEvents(q("qd"), { connection });
    await events.waitUntilReady();
    try {
      // a checkpoint whose weights hold a NaN
      const nanRun = loadSupernetCheckpoint(checkpoint);
      const state = new Map(nanRun.supernet.stateDict());
      const [name, t] = [...state][0]!;
      const bad = new Float32Array(t.dataSync());
      bad[0] = NaN;
      nanRun.supernet.loadStateDict(new Map([...state, [name, tensor(bad, t.shape)]]));
      await saveSupernetCheckpoint(join(dir, "nan.safetensors"), nanRun);

      const base: QueueRun = { runId: "det", version: KSHOT_VERSION, weights: fileArtifact(checkpoint), validation: fileArtifact(join(dir, "validation.kds")), batchSize: 250, kernels: kernelSet() };
      const genes = sampleGenes(run.space, new Rng(1));
      const otherSet = kernelSet() === "fma" ? "simd" : "fma";
      const cases: [string, EvalJobData, RegExp][] = [
        ["invalid", { run: base, genes: [...genes.slice(1), 9], arch: "ARCH-X" }, /invalid architecture ARCH-X \(genes \[.*\]\): gene 5 is 9, expected 0\.\.4/],
        ["nan", { run: { ...base, weights: fileArtifact(join(dir, "nan.safetensors")) }, genes, arch: "ARCH-N" }, /ARCH-N: worker .* cannot use the published run: .*non-finite value/],
        ["version", { run: { ...base, version: "0.0.0-other" }, genes, arch: "ARCH-V" }, /ARCH-V: worker kshot@.* refuses jobs from kshot 0\.0\.0-other/],
        ["kernels", { run: { ...base, kernels: otherSet }, genes, arch: "ARCH-K" }, new RegExp(`ARCH-K: worker kshot@.* has the ${kernelSet()} CPU kernels and refuses jobs scored with the ${otherSet} ones \\(they round differently\\): start it with KSHOT_KERNELS=${otherSet}`)],
        ["hash", { run: { ...base, weights: { ...base.weights, sha256: "0".repeat(64) } }, genes, arch: "ARCH-H" }, /ARCH-H: .*SHA-256 .* but the coordinator published 0000/],
      ];
      for (const [id, data, reason] of cases) {
        const job = await queue.add("evaluate", data, { jobId: id, attempts: 4, backoff: { type: "fixed", delay: 100 } });
        await assert.rejects(job.waitUntilFinished(events), reason);
        const failed = (await queue.getJob(id))!;
        assert.equal(failed.attemptsMade, 1, `${id}: tried once, not retried`);
      }
    } finally {
      await Promise.all([queue.close(), events.close(), worker.close()]);
    }
  });

  it("serves artifacts over HTTP, and a restarted coordinator reuses finished results", { timeout: 60_000 }, async () => {
    const paths = Array.from({ length: 4 }, (_, i) => sampleGenes(run.space, new Rng(100 + i)));
    const pool = await EvaluatorPool.create(run, { workers: 1 });
    const expected = await pool.evaluateAll(paths);
    await pool.close();
    const cacheDir = join(dir, "http-cache");
    mkdirSync(join(dir, "reuse"));
    const worker = await startQueueWorker({ redis: redis!.url, queue: q("qr"), threads: 2, cacheDir, log: () => {} });
    const spec = { kind: "bullmq" as const, redis: redis!.url, queue: q("qr"), runId: "reuse", shareUrl: `http://127.0.0.1:${await freePort()}` };
    let got;
    try {
      const first = await openExecutor(spec, run, checkpoint, join(dir, "reuse"), () => {});
      try {
        got = await Promise.all(paths.map((g) => first.evaluate(g)));
      } finally {
        await first.close();
      }
    } finally {
      await worker.close();
    }
    const strip = (rs: { acc: number; lambda: number[]; macs: number }[]) => rs.map((r) => [r.acc, r.lambda, r.macs]);
    assert.deepEqual(strip(got), strip(expected));
    assert.equal(readdirSync(cacheDir).filter((f) => /^[0-9a-f]{64}$/.test(f)).length, 2, "weights and data downloaded into the cache by hash");

    // no worker now: only finished jobs can answer
    const again = await openExecutor(spec, run, checkpoint, join(dir, "reuse"), () => {});
    try {
      const reused = await Promise.race([Promise.all(paths.map((g) => again.evaluate(g))),
        new Promise<never>((_, fail) => setTimeout(() => fail(new Error("no reuse: waited for a worker")), 10_000))]);
      assert.deepEqual(strip(reused), strip(expected));
    } finally {
      await again.close();
    }
  });
  it("asks again for a path whose job failed for good, and that job runs again", { timeout: 60_000 }, async () => {
    const genes = sampleGenes(run.space, new Rng(7));
    const pool = await EvaluatorPool.create(run, { workers: 1 });
    const [expected] = await pool.evaluateAll([genes]);
    await pool.close();
    const weights = join(dir, "retry.safetensors");
    copyFileSync(checkpoint, weights);
    const qrun: QueueRun = { runId: "retry", version: KSHOT_VERSION, weights: fileArtifact(weights), validation: fileArtifact(join(dir, "validation.kds")), batchSize: 250, kernels: kernelSet() };
    const worker = await startQueueWorker({ redis: redis!.url, queue: q("qf"), threads: 1, cacheDir: join(dir, "cache-f"), log: () => {} });
    const executor = await QueueExecutor.open({ redis: redis!.url, queue: q("qf"), run: qrun, space: run.space, log: () => {} });
    try {
      renameSync(weights, `${weights}.away`); // the weights gone: the job fails for good, not retried
      await assert.rejects(executor.evaluate(genes), /no such file on this machine/);
      renameSync(`${weights}.away`, weights);
      const again = await executor.evaluate(genes); // the same job id: the failed job is retried, not reported failed again
      assert.deepEqual([again.acc, again.lambda, again.macs], [expected!.acc, expected!.lambda, expected!.macs]);
    } finally {
      await executor.close();
      await worker.close();
    }
  });
});

describe("a coordinator does not wait forever", { skip: redis === null && "no redis-server (install it, or set KSHOT_TEST_REDIS)" }, () => {
  const lines = (c: Child) => c.stderr.trim().split("\n");

  it("gives up when no worker listens on its queue, naming the queue and the command that starts one", { timeout: 90_000 }, async () => {
    const elsewhere = Child.kshot(["worker", "--redis", redis!.url, "--queue", q("elsewhere"), "--workers", "1"]);
    await elsewhere.waitFor(new RegExp(`on queue '${q("elsewhere")}'`));
    const c = Child.kshot([...search, "--executor", "bullmq", "--redis", redis!.url, "--queue", q("lonely"), "--worker-timeout", "3",
      "--out", join(dir, "lonely")]);
    assert.equal(await c.exited, 1);
    elsewhere.proc.kill("SIGTERM");
    await elsewhere.exited;
    assert.match(lines(c).at(-1)!, new RegExp(`^kshot: no worker has listened on queue '${q("lonely")}' at ${redis!.url.replace(/[/.]/g, "\\$&")} for \\d+ s \\(--worker-timeout 3\\); start one with: kshot worker --redis \\S+ --queue ${q("lonely")}$`));
    assert.doesNotMatch(c.stderr, /^\s+at /m, "no stack trace");
  });

  it("gives up in one line, no stack trace, when its Redis dies", { timeout: 90_000 }, async () => {
    const own = await privateRedis();
    assert.ok(own !== null);
    const c = Child.kshot([...search, "--executor", "bullmq", "--redis", own.url, "--queue", q("dies"), "--redis-timeout", "2",
      "--out", join(dir, "dies")]);
    await c.waitFor(/no worker connected yet/);
    await own.stop();
    const t0 = performance.now();
    assert.equal(await c.exited, 1);
    assert.ok(performance.now() - t0 < 30_000, "it gave up within seconds of the limit");
    assert.match(lines(c).at(-1)!, /^kshot: lost Redis at redis:\/\/127\.0\.0\.1:\d+ for \d+ s \(--redis-timeout 2\); the finished evaluations are kept there/);
    assert.ok(lines(c).length < 10, c.stderr);
    assert.doesNotMatch(c.stderr, /^\s+at |ECONNREFUSED|Unhandled/m);
  });
});
