// `npm run bench:pool [-- --json]`: architectures evaluated per second by the
// worker pool with 1 and 2 workers on the NAS-Bench-201 Fashion-MNIST
// supernet (C=8, N=1, K=4, 500 validation images per path), their ratio, and
// the bytes each worker holds beyond the shared weights (its engine storage).
import { Rng } from "../engine/index.js";
import { sampleGenes } from "../nas/space.js";
import { buildSupernetSession } from "../nas/supernet/session.js";
import { DEFAULT_SUPERNET_OPTIONS } from "../nas/supernet/trainer.js";
import { EMBEDDED_FASHION_MNIST } from "../train/datasets.js";
import { EvaluatorPool } from "../workers/pool.js";

const json = process.argv.includes("--json");
const count = process.argv.includes("--quick") ? 8 : 48;
const run = buildSupernetSession({
  ...DEFAULT_SUPERNET_OPTIONS, space: "nb201", mode: "kshot", K: 4, C: 8, N: 1, dataset: "fashion-mnist", dataDir: EMBEDDED_FASHION_MNIST,
  trainLimit: 1000, valSize: 500, epochs: 1, warmupEpochs: 1, batchSize: 64, hidden: 100, seed: 0,
});
const rng = new Rng(1);
const paths = Array.from({ length: count }, () => sampleGenes(run.space, rng));
const rates: number[] = [];
for (const workers of [1, 2]) {
  const pool = await EvaluatorPool.create(run, { workers });
  await pool.evaluateAll(paths.slice(0, workers)); // start every worker and build its models
  const t0 = performance.now();
  const results = await pool.evaluateAll(paths);
  const rate = paths.length / ((performance.now() - t0) / 1000);
  rates.push(rate);
  const most = (k: "workerBytes" | "heapBytes") => Math.max(...results.map((r) => r[k]));
  const held = { wasm_memory_bytes: most("workerBytes"), js_heap_bytes: most("heapBytes") };
  if (json) console.log(JSON.stringify({ case: "pool evaluations", workers, evals_per_second: rate, shared_bytes: pool.sharedBytes, ...held }));
  else {
    console.log(`${workers} worker(s): ${rate.toFixed(2)} architectures/s; beyond the ${pool.sharedBytes} shared bytes each worker holds ` +
      `${held.wasm_memory_bytes} bytes of WebAssembly memory (tensors, reusable blocks, scratch) and ${held.js_heap_bytes} of JS heap`);
  }
  await pool.close();
}
if (json) console.log(JSON.stringify({ case: "pool speed-up", ratio: rates[1]! / rates[0]! }));
else console.log(`speed-up with 2 workers: ${(rates[1]! / rates[0]!).toFixed(2)}x`);
