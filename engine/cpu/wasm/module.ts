import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { setFlagsFromString } from "node:v8";
import { WasmHeap } from "./heap.js";

/** The task kernels of kernels.wasm (see ./assembly/tasks.ts and elementwise.ts): (params, task, scratch). */
export const TASK_KERNELS = ["gemmTask", "convForwardTask", "convBackpropInputTask", "im2colTask",
  "depthwiseTask", "depthwiseFilterTask", "sliceProductTask", "sumSlicesTask", "binaryTask", "activationTask", "activationGradTask", "bnStatsTask", "bnApplyTask",
  "bnGradTask", "scalarTask", "avgPoolTask", "directConvTask",
  "directPlaceTask", "directFilterTask", "avgPoolStride1Task", "depthwiseDirectTask", "sgdTask", "movingAverageTask", "reduceTask", "broadcastTask"] as const;
export type TaskKernel = typeof TASK_KERNELS[number];

/** Exports of kernels.wasm, compiled from ./assembly by scripts/build-wasm.mjs. */
export type KernelExports = Record<TaskKernel, (params: number, task: number, scratch: number) => void> & {
  heapBase(): number;
  gemmScratchFloats(m: number, n: number): number;
  directConvScratchFloats(inC: number, h: number, w: number, kh: number, kw: number, ph: number, pw: number, outC: number): number;
  directFlatLength(positions: number): number;
  directSlackFloats(kw: number): number;
  directFilterTasks(c: number, cout: number, kh: number, kw: number): number;
  avgPoolStride1Scratch(h: number, w: number, oh: number, ow: number): number;
  depthwiseDirectScratch(h: number, w: number, kh: number, kw: number, ph: number, pw: number): number;
};

/** The most pages a wasm32 memory may have (4 GiB); V8 reserves, and does not commit, that much address space. */
const MAX_PAGES = 65536;

function compile(): WebAssembly.Module {
  const path = fileURLToPath(new URL("./kernels.wasm", import.meta.url));
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = new Uint8Array(readFileSync(path));
  } catch {
    throw new Error(`kshot: ${path} is missing; build it with 'npm run build:wasm' (npm install does this)`);
  }
  // Optimise every kernel at compile time. V8 otherwise starts functions in
  // its baseline compiler and optimises them after enough calls, which a
  // kernel called once per task on a helper thread may never reach:
  // measured, GEMM 512 on two threads ran 21 GFLOPS so and 27 with this.
  setFlagsFromString("--no-liftoff");
  return new WebAssembly.Module(bytes);
}

/** Instantiates the kernels over `memory`: the main thread once, each thread of the team once more. */
export function instantiate(module: WebAssembly.Module, memory: WebAssembly.Memory): KernelExports {
  return new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as KernelExports;
}

/**
 * The WebAssembly kernels and their shared linear memory, which holds every
 * CPU tensor (see WasmHeap): kernels read and write tensors in place.
 */
class WasmKernels {
  readonly module = compile();
  readonly memory = new WebAssembly.Memory({ initial: 16, maximum: MAX_PAGES, shared: true });
  readonly fn = instantiate(this.module, this.memory);
  readonly heap = new WasmHeap(this.memory, this.fn.heapBase(), MAX_PAGES * 65536 - 65536);
  private views: { f32: Float32Array; i32: Int32Array } | undefined;

  /** A Float32Array over the whole memory (renewed after growth; views made before growth stay valid). */
  get f32(): Float32Array {
    return this.whole().f32;
  }

  get i32(): Int32Array {
    return this.whole().i32;
  }

  private whole(): { f32: Float32Array; i32: Int32Array } {
    const buffer = this.memory.buffer;
    if (this.views?.f32.buffer !== buffer) this.views = { f32: new Float32Array(buffer), i32: new Int32Array(buffer) };
    return this.views;
  }
}

export const wasm = new WasmKernels();
