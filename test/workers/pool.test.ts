import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Rng } from "../../engine/index.js";
import { sampleGenes } from "../../nas/space.js";
import { supernetSearch } from "../../nas/search/supernet_search.js";
import { buildSupernetSession, type SupernetSession } from "../../nas/supernet/session.js";
import { DEFAULT_SUPERNET_OPTIONS } from "../../nas/supernet/trainer.js";
import { EMBEDDED_FASHION_MNIST } from "../../train/datasets.js";
import { EvaluatorPool } from "../../workers/pool.js";

let run: SupernetSession;
let paths: number[][];

before(async () => {
  run = buildSupernetSession({
    ...DEFAULT_SUPERNET_OPTIONS, space: "nb201", mode: "kshot", K: 3, C: 4, N: 1, dataset: "fashion-mnist", dataDir: EMBEDDED_FASHION_MNIST,
    trainLimit: 160, valSize: 60, epochs: 2, warmupEpochs: 1, batchSize: 32, m: 4, simplexBatch: 32, hidden: 16, seed: 5,
  });
  await run.trainer.runEpoch();
  await run.trainer.runEpoch();
  const rng = new Rng(8);
  paths = Array.from({ length: 6 }, () => sampleGenes(run.space, rng));
});

describe("evaluator pool over shared memory", () => {
  const pools: EvaluatorPool[] = [];
  after(async () => { await Promise.all(pools.map((p) => p.close())); });

  it("gives the same accuracies and codes with 1, 2 and 4 workers", async () => {
    const results = [];
    for (const workers of [1, 2, 4]) {
      const pool = await EvaluatorPool.create(run, { workers, batchSize: 20 });
      pools.push(pool);
      results.push(await pool.evaluateAll(paths));
    }
    const strip = (rs: { acc: number; lambda: number[]; macs: number }[]) => rs.map((r) => [r.acc, r.lambda, r.macs]);
    assert.deepEqual(strip(results[1]!), strip(results[0]!));
    assert.deepEqual(strip(results[2]!), strip(results[0]!));
    assert.ok(results[0]!.every((r) => r.acc >= 0 && r.acc <= 1 && r.lambda.length === 3));
    assert.ok(results.flat().every((r) => r.kernelThreads === 1), "each worker runs its kernels on its own thread alone");
  });

  it("the same seed gives the same Pareto front with 1 and 2 workers", async () => {
    const fronts = [];
    for (const workers of [1, 2]) {
      const pool = await EvaluatorPool.create(run, { workers, batchSize: 20 });
      pools.push(pool);
      const r = await supernetSearch(run.space, pool, { populationSize: 6, generations: 2, evaluations: 14, seed: 3, maxMflops: 0.8 });
      fronts.push(r.front);
    }
    assert.deepEqual(fronts[1], fronts[0]);
  });

  it("replaces a crashed worker and retries its task", async () => {
    const pool = await EvaluatorPool.create(run, { workers: 1, batchSize: 20, faults: 1 });
    pools.push(pool);
    const clean = await EvaluatorPool.create(run, { workers: 1, batchSize: 20 });
    pools.push(clean);
    const [a, b] = [await pool.evaluate(paths[0]!, "crash"), await clean.evaluate(paths[0]!)];
    assert.equal(a.acc, b.acc);
  });

  it("aborts a hung task after the timeout, replaces the worker and retries", async () => {
    const pool = await EvaluatorPool.create(run, { workers: 1, batchSize: 20, faults: 1, timeoutMs: 5000 });
    pools.push(pool);
    const r = await pool.evaluate(paths[1]!, "hang");
    assert.ok(r.acc >= 0);
  });

  it("fails with a message naming the architecture once the retries are spent", async () => {
    const pool = await EvaluatorPool.create(run, { workers: 1, batchSize: 20, faults: 10, retries: 1 });
    pools.push(pool);
    await assert.rejects(pool.evaluate(paths[2]!, "crash"), new RegExp(`evaluation of ${run.space.format(paths[2]!).replace(/[|+~]/g, "\\$&")} failed 2 times`));
  });
});
