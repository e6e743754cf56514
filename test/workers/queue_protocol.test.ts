import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { describe, it } from "node:test";
import { UsageError } from "../../cli/args.js";
import { executorSpec } from "../../cli/executor_flags.js";
import { BadArtifactError, fetchArtifact, fileArtifact, serveArtifacts } from "../../workers/queue/artifacts.js";
import { DEFAULT_QUEUE, KSHOT_VERSION, checkRunId, evalJobId, parseWorkerName, redactUrl, workerName, type QueueRun } from "../../workers/queue/protocol.js";
import { tempDir } from "../helpers/temp_dir.js";

/** A TCP port nobody listens on now. */
function freePort(): Promise<number> {
  return new Promise((ok) => {
    const srv = createServer().listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => ok(port));
    });
  });
}

const run: QueueRun = {
  runId: "r1", version: "0.1.0", batchSize: 250, kernels: "simd",
  weights: { ref: "/w", sha256: "ab".repeat(32), bytes: 1 }, validation: { ref: "/v", sha256: "cd".repeat(32), bytes: 1 },
};

describe("queue protocol", () => {
  it("job ids name run, weights, data, batch and path, without ':'", () => {
    const id = evalJobId(run, [1, 0, 4, 2, 3, 1]);
    assert.equal(id, `r1.${"ab".repeat(8)}.${"cd".repeat(4)}.b250.simd.1-0-4-2-3-1`);
    assert.notEqual(evalJobId({ ...run, kernels: "fma" }, [1, 0, 4, 2, 3, 1]), id, "another kernel set scores otherwise: not the same job");
    assert.notEqual(evalJobId({ ...run, runId: "r2" }, [1, 0, 4, 2, 3, 1]), id);
    assert.notEqual(evalJobId({ ...run, batchSize: 100 }, [1, 0, 4, 2, 3, 1]), id);
    assert.notEqual(evalJobId(run, [10, 4, 2, 3, 1]), evalJobId(run, [1, 0, 4, 2, 3, 1]), "genes are separated");
  });

  it("reads back worker names and refuses run ids that would break keys", () => {
    assert.deepEqual(parseWorkerName(workerName("node-7", 42, 3)), { version: KSHOT_VERSION, host: "node-7", pid: 42, threads: 3 });
    assert.equal(parseWorkerName("bull-worker"), null);
    assert.deepEqual(parseWorkerName("kshot@0.1.0/h/7/12t"), { version: "0.1.0", host: "h", pid: 7, threads: 12 });
    for (const bad of ["xkshot@0.1.0/h/7/2t", "kshot@0.1.0/h/7/2tx", "kshot@0.1.0/h/7/2", "kshot@0.1.0/h/x/2t"]) assert.equal(parseWorkerName(bad), null, bad);
    assert.equal(DEFAULT_QUEUE, "kshot-eval", "the queue the README's commands use");
    assert.throws(() => checkRunId("a:b"), /run id 'a:b'/);
    assert.equal(checkRunId("search_1-a"), "search_1-a");
  });

  it("never prints a Redis password", () => {
    assert.equal(redactUrl("redis://:s3cret@host:6379"), "redis://:***@host:6379");
    assert.equal(redactUrl("redis://user:s3cret@host:6379/0"), "redis://user:***@host:6379/0");
    assert.equal(redactUrl("redis://host:6379"), "redis://host:6379");
    assert.equal(redactUrl("not a url"), "not a url", "what is not a URL is printed as given");
  });

  it("fetches a path only when its bytes hash as published", async () => {
    const dir = tempDir("kshot-artifact-");
    const path = join(dir, "f.bin");
    writeFileSync(path, "weights");
    const a = fileArtifact(path);
    assert.deepEqual(a, { ref: path, sha256: createHash("sha256").update("weights").digest("hex"), bytes: 7 });
    assert.equal(Buffer.from(await fetchArtifact(a, dir)).toString(), "weights");
    writeFileSync(path, "weightz");
    await assert.rejects(fetchArtifact(a, dir), (e) => e instanceof BadArtifactError && /SHA-256 .* but the coordinator published/.test(e.message));
    await assert.rejects(fetchArtifact({ ...a, ref: join(dir, "missing") }, dir), /no such file on this machine/);
    await assert.rejects(fetchArtifact({ ...a, ref: "relative/path" }, dir), /expected an absolute path or an http\(s\) URL/);
  });

  it("downloads a URL once into the cache, and checks a cached file's hash again before using it", async () => {
    const dir = tempDir("kshot-artifact-"), cache = join(dir, "cache");
    writeFileSync(join(dir, "w.bin"), "weights");
    const port = await freePort();
    const served = await serveArtifacts(`http://127.0.0.1:${port}`, [fileArtifact(join(dir, "w.bin"))]);
    const a = served.artifacts[0]!;
    try {
      assert.equal(Buffer.from(await fetchArtifact(a, cache)).toString(), "weights");
      const cached = join(cache, a.sha256);
      assert.equal(readFileSync(cached, "utf8"), "weights", "kept under its hash");
      writeFileSync(cached, "weightz"); // damaged on disk since
      assert.equal(Buffer.from(await fetchArtifact(a, cache)).toString(), "weights", "the damaged copy is not used: downloaded again");
      assert.equal(readFileSync(cached, "utf8"), "weights", "and the cache repaired");
    } finally {
      await served.close();
    }
    assert.equal(Buffer.from(await fetchArtifact(a, cache)).toString(), "weights", "a sound cached copy is used without the server");
    writeFileSync(join(cache, a.sha256), "weightz");
    await assert.rejects(fetchArtifact(a, cache), /cannot download http:\/\/127\.0\.0\.1:\d+\/[0-9a-f]{64}/, "server gone, cache damaged: an error, not the damaged bytes");
  });
});

describe("artifact server", () => {
  it("refuses a share URL that is not http://HOST:PORT, and a port in use", async () => {
    await assert.rejects(serveArtifacts("not a url", []), /^Error: --share-url not a url: not a URL \(expected http:\/\/HOST:PORT/);
    await assert.rejects(serveArtifacts("https://h:8080", []), /^Error: --share-url https:\/\/h:8080: expected http:\/\/HOST:PORT with an explicit port$/);
    await assert.rejects(serveArtifacts("http://h", []), /expected http:\/\/HOST:PORT with an explicit port$/);
    const port = await freePort();
    const first = await serveArtifacts(`http://127.0.0.1:${port}`, []);
    try {
      await assert.rejects(serveArtifacts(`http://127.0.0.1:${port}`, []), new RegExp(`^Error: --share-url http://127\\.0\\.0\\.1:${port}: cannot listen on port ${port} \\(EADDRINUSE\\)$`));
    } finally {
      await first.close();
    }
  });

  it("serves each file under its hash to GET only, and names the HTTP status of a failed download", async () => {
    const dir = tempDir("kshot-artifact-");
    writeFileSync(join(dir, "w.bin"), "weights");
    const f = fileArtifact(join(dir, "w.bin"));
    const port = await freePort();
    const served = await serveArtifacts(`http://127.0.0.1:${port}//`, [f]);
    try {
      const a = served.artifacts[0]!;
      assert.equal(a.ref, `http://127.0.0.1:${port}/${f.sha256}`, "the base URL's trailing slashes dropped");
      const res = await fetch(`http://127.0.0.1:${port}//${f.sha256}`);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-type"), "application/octet-stream");
      assert.equal(res.headers.get("content-length"), "7");
      assert.equal(await res.text(), "weights");
      assert.equal((await fetch(`http://127.0.0.1:${port}/${f.sha256}`, { method: "POST" })).status, 404);
      assert.equal((await fetch(`http://127.0.0.1:${port}/${"0".repeat(64)}`)).status, 404);
      assert.equal((await fetch(`http://127.0.0.1:${port}/x${f.sha256}`)).status, 404);
      const missing = { ...a, ref: `http://127.0.0.1:${port}/${"0".repeat(64)}`, sha256: "0".repeat(64) };
      await assert.rejects(fetchArtifact(missing, join(dir, "cache")), new RegExp(`^Error: cannot download http://127\\.0\\.0\\.1:${port}/0{64}: HTTP 404$`));
    } finally {
      await served.close();
    }
  });

  it("reads a path that merely contains http:// as a path, and names both hashes' first 16 digits on a mismatch", async () => {
    const dir = tempDir("kshot-artifact-");
    const a = { ref: `${dir}/http://x`, sha256: "ab".repeat(32), bytes: 1 };
    await assert.rejects(fetchArtifact(a, dir), (e) => e instanceof BadArtifactError && /no such file on this machine/.test(e.message));
    writeFileSync(join(dir, "w.bin"), "weights");
    const real = createHash("sha256").update("weights").digest("hex");
    await assert.rejects(fetchArtifact({ ref: join(dir, "w.bin"), sha256: "ab".repeat(32), bytes: 9 }, dir),
      new RegExp(`: SHA-256 ${real.slice(0, 16)}… \\(7 bytes\\), but the coordinator published ${"ab".repeat(8)}… \\(9 bytes\\): not the file this search evaluates$`));
  });
});

describe("executor flags", () => {
  // the flags as parseFlags gives them (defaults filled), and the ones typed
  const spec = (f: Record<string, string>) => executorSpec("kshot search",
    { executor: "local", queue: "kshot-eval", "redis-timeout": "60", "worker-timeout": "300", ...f }, 2, new Set(Object.keys(f)));
  it("defaults to the local pool and builds a queue spec", () => {
    assert.deepEqual(spec({}), { kind: "local", workers: 2 });
    assert.deepEqual(spec({ executor: "bullmq", redis: "redis://h:1", "run-id": "x" }),
      { kind: "bullmq", redis: "redis://h:1", queue: "kshot-eval", runId: "x", shareUrl: undefined, redisTimeoutSeconds: 60, workerTimeoutSeconds: 300 });
  });
  it("refuses queue flags without the queue, a queue without Redis, and malformed values", () => {
    assert.throws(() => spec({ redis: "redis://h:1" }), (e) => e instanceof UsageError && /--redis needs --executor bullmq/.test(e.message));
    assert.throws(() => spec({ "worker-timeout": "5" }), (e) => e instanceof UsageError && /--worker-timeout needs --executor bullmq/.test(e.message));
    assert.throws(() => spec({ executor: "bullmq", redis: "redis://h:1", "redis-timeout": "0" }), /--redis-timeout expects a number >= 1/);
    assert.throws(() => spec({ executor: "bullmq" }), /needs --redis redis:\/\/HOST:PORT/);
    assert.throws(() => spec({ executor: "bullmq", redis: "h:1" }), /--redis expects redis:\/\/HOST:PORT/);
    assert.throws(() => spec({ executor: "slurm" }), /--executor expects local or bullmq/);
    assert.throws(() => spec({ executor: "bullmq", redis: "redis://h:1", "run-id": "a:b" }), /--run-id expects 1-64 letters, digits, '-' or '_', received 'a:b'/);
  });
});
