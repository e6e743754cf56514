import { getHeapStatistics } from "node:v8";
import { workerData } from "node:worker_threads";
import { wasm } from "../engine/cpu/wasm/module.js";
import { kernelThreads, setKernelThreads, tidy } from "../engine/index.js";
import type { DataRecipe } from "../train/fit.js";
import { evaluatePath } from "../nas/supernet/evaluate.js";
import { buildSupernetModels, modelState, type SupernetModels, type SupernetConfig } from "../nas/supernet/session.js";
import { pathCode } from "../nas/supernet/path_code.js";
import type { ImageDataset } from "../data/dataset.js";
import { bindTensors, datasetView, type SharedArena, type SharedDataset } from "./shared_state.js";

/** What every evaluation worker receives once: the run's settings and the shared weights and data. */
export interface EvalWorkerData {
  config: SupernetConfig;
  arena: SharedArena;
  val: SharedDataset;
  recipe: DataRecipe;
  batchSize: number;
  /** Tests only: while positive, a task asking for a fault decrements it and crashes or hangs its worker. */
  faults?: SharedArrayBuffer;
}

export interface EvalTask { genes: number[]; fault?: "crash" | "hang" }
/**
 * The path's accuracy, code and cost, and what its worker holds beyond the
 * shared weights: its WebAssembly memory (the engine's tensors, blocks kept
 * for reuse, kernel scratch) and its JavaScript heap.
 */
export interface EvalResult {
  acc: number; lambda: number[]; params: number; macs: number; mflops: number;
  workerBytes: number; heapBytes: number;
  /** CPU kernel threads this worker runs: 1, so that the pool's workers are the search's whole thread budget. */
  kernelThreads: number;
}

let ctx: (SupernetModels & { val: ImageDataset; data: EvalWorkerData }) | null = null;

/** Builds the models once per worker and points their weights at the shared arena. */
function context() {
  if (ctx !== null) return ctx;
  const data = workerData as EvalWorkerData;
  // the pool's workers are the search's threads: each runs its kernels alone
  setKernelThreads(1);
  const val = datasetView(data.val);
  const models = buildSupernetModels(data.config, val);
  bindTensors(data.arena, modelState(models));
  ctx = { ...models, val, data };
  return ctx;
}

/** One task: the validation accuracy of a path (batch-statistic BN), its code and its cost. */
export default function evaluate(task: EvalTask): EvalResult {
  const c = context();
  const faults = c.data.faults ? new Int32Array(c.data.faults) : null;
  if (task.fault && faults && Atomics.sub(faults, 0, 1) > 0) {
    if (task.fault === "crash") process.exit(3); // in a worker thread this ends the thread only
    for (;;) { /* hang until the pool's timeout terminates this thread */ }
  }
  return tidy(() => {
    const lambda = pathCode(c.data.config.mode, c.space, c.simplex, task.genes, false);
    const acc = evaluatePath(c.supernet, task.genes, lambda, c.val, c.data.recipe, c.data.batchSize);
    const cost = c.space.cost(task.genes);
    return {
      acc, lambda: [...lambda.dataSync()], params: cost.params, macs: cost.macs, mflops: cost.nb201Mflops,
      workerBytes: wasm.memory.buffer.byteLength, heapBytes: getHeapStatistics().used_heap_size, kernelThreads: kernelThreads(),
    };
  });
}
