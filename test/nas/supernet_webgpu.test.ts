import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { Rng, engine } from "../../engine/index.js";
import { webgpuBackend, type WebGpuBackend } from "../../engine/webgpu/index.js";
import { buildSupernetSession, type SupernetSession } from "../../nas/supernet/session.js";
import { sampleGenes } from "../../nas/space.js";
import { EvaluatorPool } from "../../workers/pool.js";
import type { EvalResult } from "../../workers/eval_task.js";
import { DEFAULT_SUPERNET_OPTIONS } from "../../nas/supernet/trainer.js";
import { EMBEDDED_FASHION_MNIST } from "../../train/datasets.js";

const gpu = await webgpuBackend();

/** A small K-shot run trained two epochs (one warm-up) on `backend`; its step losses. */
async function trained(backend: string): Promise<{ run: SupernetSession; losses: number[] }> {
  engine.setBackend(backend);
  const run = buildSupernetSession({
    ...DEFAULT_SUPERNET_OPTIONS, space: "nb201", mode: "kshot", K: 2, C: 4, N: 1, dataset: "fashion-mnist", dataDir: EMBEDDED_FASHION_MNIST,
    trainLimit: 80, valSize: 40, epochs: 2, warmupEpochs: 1, batchSize: 16, m: 4, simplexBatch: 16, hidden: 16, seed: 11,
  });
  const losses: number[] = [];
  for (let e = 0; e < 2; e++) await run.trainer.runEpoch((r) => losses.push(r.loss));
  return { run, losses };
}

async function losses(backend: string): Promise<number[]> {
  const { run, losses } = await trained(backend);
  run.supernet.dispose();
  run.simplex.dispose();
  return losses;
}

describe("K-shot supernet training on WebGPU", { skip: typeof gpu === "string" && `no WebGPU adapter: ${gpu}` }, () => {
  after(() => engine.setBackend("cpu"));

  it("follows the CPU step for step (warm-up, supernet and simplex-net steps), with no kernel falling back to the CPU", async () => {
    const b = gpu as WebGpuBackend;
    const cpu = await losses("cpu");
    const s0 = b.stats();
    const onGpu = await losses("webgpu");
    const s1 = b.stats();
    assert.equal(onGpu.length, cpu.length);
    onGpu.forEach((l, i) => assert.ok(Math.abs(l - cpu[i]!) <= 1e-4 * Math.abs(cpu[i]!), `step ${i}: ${l} on webgpu, ${cpu[i]} on cpu`));
    assert.deepEqual(s1.fallbacks, s0.fallbacks);
    const steps = onGpu.length, dispatches = s1.dispatches - s0.dispatches, submissions = s1.submissions - s0.submissions;
    console.log(`${steps} steps: ${dispatches} dispatches in ${submissions} submissions, ${s1.pipelines} pipelines`);
    // one submission per read of the loss, plus one per full batch of dispatches
    assert.ok(submissions <= steps + Math.ceil(dispatches / b.batchSize) + 2, `${submissions} submissions`);
  });

  it("is deterministic: the same seed gives bit-identical losses (no atomics, fixed reduction order)", async () => {
    assert.deepEqual(await losses("webgpu"), await losses("webgpu"));
  });

  it("hands its weights to the CPU worker pool: paths score as on the CPU-trained twin", async () => {
    const results = [];
    for (const backend of ["cpu", "webgpu"]) {
      const { run } = await trained(backend);
      const pool = await EvaluatorPool.create(run, { workers: 1, batchSize: 20 });
      try {
        const rng = new Rng(3);
        results.push(await pool.evaluateAll(Array.from({ length: 3 }, () => sampleGenes(run.space, rng))));
      } finally {
        await pool.close();
        run.supernet.dispose();
        run.simplex.dispose();
      }
    }
    const [cpu, gpu] = results as [EvalResult[], EvalResult[]];
    gpu.forEach((r, i) => {
      // 40 validation images: weights equal to float32 rounding flip at most a near-tie
      assert.ok(Math.abs(r.acc - cpu[i]!.acc) <= 1 / 40 + 1e-9, `path ${i}: ${r.acc} vs ${cpu[i]!.acc}`);
      r.lambda.forEach((l, k) => assert.ok(Math.abs(l - cpu[i]!.lambda[k]!) < 1e-4, `path ${i} lambda ${k}`));
    });
  });
});
