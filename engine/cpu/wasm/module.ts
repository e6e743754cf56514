import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { setFlagsFromString } from "node:v8";
import { isMainThread } from "node:worker_threads";
import { WasmHeap } from "./heap.js";

/** The task kernels of kernels.wasm (see ./assembly/tasks.ts and elementwise.ts): (params, task, scratch). */
export const TASK_KERNELS = ["gemmTask", "convForwardTask", "convBackpropInputTask",
  "depthwiseTask", "depthwiseFilterTask", "filterSliceTask", "sumSlicesTask", "binaryTask", "activationTask", "activationGradTask", "bnStatsTask", "bnApplyTask",
  "bnGradTask", "scalarTask", "avgPoolTask", "directConvTask",
  "directPackTask", "directFilterRunTask", "avgPoolStride1Task", "depthwiseDirectTask", "sgdTask", "movingAverageTask", "reduceTask", "broadcastTask",
  "winogradPackTask", "winogradConvTask", "bnAffineTask"] as const;
export type TaskKernel = typeof TASK_KERNELS[number];

/** Exports of kernels.wasm, compiled from ./assembly by scripts/build-wasm.mjs. */
export type KernelExports = Record<TaskKernel, (params: number, task: number, scratch: number) => void> & {
  heapBase(): number;
  gemmScratchFloats(m: number, n: number): number;
  directConvScratchFloats(inC: number, h: number, w: number, kh: number, kw: number, ph: number, pw: number): number;
  directPackedFloats(inC: number, outC: number, kh: number, kw: number): number;
  directPackTasks(outC: number): number;
  directFilterScratchFloats(per: number, c: number, cout: number, h: number, w: number, kh: number, kw: number, ph: number, pw: number): number;
  winogradScratchFloats(inC: number, h: number, w: number, ph: number, pw: number): number;
  winogradPackedFloats(inC: number, outC: number): number;
  winogradPackTasks(outC: number): number;
  avgPoolStride1Scratch(h: number, w: number, oh: number, ow: number): number;
  depthwiseDirectScratch(h: number, w: number, kh: number, kw: number, ph: number, pw: number): number;
  maddProbe(a: number, b: number, c: number): number;
};

/** The most pages a wasm32 memory may have (4 GiB); V8 reserves, and does not commit, that much address space. */
const MAX_PAGES = 65536;

/**
 * The kernel sets: plain SIMD (kernels.wasm, everywhere) and FMA
 * (kernels_fma.wasm: relaxed SIMD, whose multiply-adds are fused on CPUs
 * with FMA). They round differently, so results are the same bits within a
 * set, not across sets.
 */
export const KERNEL_SETS = ["simd", "fma"] as const;
export type KernelSet = (typeof KERNEL_SETS)[number];

function readKernels(file: string): Uint8Array<ArrayBuffer> {
  const path = fileURLToPath(new URL(`./${file}`, import.meta.url));
  try {
    return new Uint8Array(readFileSync(path));
  } catch {
    throw new Error(`kshot: ${path} is missing; build it with 'npm run build:wasm' (npm install does this)`);
  }
}

/**
 * Whether a module's multiply-add is fused: (1 + 2^-12)^2 = 1 + 2^-11 + 2^-24
 * needs 25 bits, so rounded first (to 1 + 2^-11, half to even) and then less
 * 1 + 2^-11 it is 0, and fused it is the exact 2^-24.
 */
function fusedMultiplyAdd(module: WebAssembly.Module): boolean {
  const probe = instantiate(module, new WebAssembly.Memory({ initial: 16, maximum: MAX_PAGES, shared: true }));
  return probe.maddProbe(1 + 2 ** -12, 1 + 2 ** -12, -(1 + 2 ** -11)) === 2 ** -24;
}

/**
 * Compiles the kernel set that $KSHOT_KERNELS names (simd or fma), else FMA
 * where the runtime validates relaxed SIMD and the CPU fuses its
 * multiply-adds, else plain SIMD with a note on why.
 */
function compile(): { module: WebAssembly.Module; set: KernelSet; note: string | null } {
  // Optimise every kernel at compile time. V8 otherwise starts functions in
  // its baseline compiler and optimises them after enough calls, which a
  // kernel called once per task on a helper thread may never reach:
  // measured, GEMM 512 on two threads ran 21 GFLOPS so and 27 with this.
  setFlagsFromString("--no-liftoff");
  const wanted = process.env["KSHOT_KERNELS"] ?? "";
  if (wanted !== "" && !(KERNEL_SETS as readonly string[]).includes(wanted)) {
    throw new Error(`kshot: KSHOT_KERNELS expects ${KERNEL_SETS.join(" or ")}, received '${wanted}'`);
  }
  const plain = () => new WebAssembly.Module(readKernels("kernels.wasm"));
  if (wanted === "simd") return { module: plain(), set: "simd", note: null };
  const fmaBytes = readKernels("kernels_fma.wasm");
  // asked for by name: turn relaxed SIMD on (Node 20 and 21 have it behind this flag) rather than refuse
  if (wanted === "fma" && !WebAssembly.validate(fmaBytes)) setFlagsFromString("--experimental-wasm-relaxed-simd");
  let why: string;
  if (!WebAssembly.validate(fmaBytes)) {
    why = "this runtime has relaxed SIMD off (Node 20 and 21: run node with --experimental-wasm-relaxed-simd, as the kshot command does)";
  } else {
    const fma = new WebAssembly.Module(fmaBytes);
    if (fusedMultiplyAdd(fma)) return { module: fma, set: "fma", note: null };
    why = "this CPU has no fused multiply-add";
  }
  if (wanted === "fma") throw new Error(`kshot: KSHOT_KERNELS=fma, but ${why}`);
  return { module: plain(), set: "simd", note: `kshot: the plain SIMD kernels, not the FMA ones: ${why}` };
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
  private readonly compiled = compile();
  readonly module = this.compiled.module;
  /** The kernel set in use, and why not FMA where it is plain SIMD (null when FMA, or when plain SIMD was asked for). */
  readonly set: KernelSet = this.compiled.set;
  readonly note: string | null = this.compiled.note;
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
// said once, by the thread that loads the engine first (a worker thread loads it again, with the same result)
if (wasm.note !== null && isMainThread) process.emitWarning(wasm.note, { code: "KSHOT_KERNELS" });
