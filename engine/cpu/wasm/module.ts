import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** Exports of kernels.wasm, compiled from ./assembly by scripts/build-wasm.mjs. */
interface KernelExports {
  memory: WebAssembly.Memory;
  heapBase(): number;
  gemmScratchFloats(m: number, n: number): number;
  sgemm(m: number, n: number, k: number, a: number, sAi: number, sAk: number, b: number, sBk: number, sBj: number,
    c: number, ldc: number, accumulate: number, scratch: number): void;
  im2col(x: number, c: number, h: number, w: number, kh: number, kw: number, sh: number, sw: number, ph: number, pw: number,
    oh: number, ow: number, col: number): void;
  col2im(col: number, c: number, h: number, w: number, kh: number, kw: number, sh: number, sw: number, ph: number, pw: number,
    oh: number, ow: number, x: number): void;
  depthwiseForward(x: number, w: number, y: number, nc: number, c: number, h: number, wd: number, kh: number, kw: number,
    sh: number, sw: number, ph: number, pw: number, oh: number, ow: number): void;
  depthwiseBackpropInput(dy: number, w: number, dx: number, nc: number, c: number, h: number, wd: number, kh: number, kw: number,
    sh: number, sw: number, ph: number, pw: number, oh: number, ow: number): void;
  depthwiseBackpropFilter(x: number, dy: number, dw: number, nc: number, c: number, h: number, wd: number, kh: number, kw: number,
    sh: number, sw: number, ph: number, pw: number, oh: number, ow: number): void;
}

function load(): KernelExports {
  const path = fileURLToPath(new URL("./kernels.wasm", import.meta.url));
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = new Uint8Array(readFileSync(path));
  } catch {
    throw new Error(`kshot: ${path} is missing; build it with 'npm run build:wasm' (npm install does this)`);
  }
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), {
    env: { abort: () => { throw new Error("kshot: a WebAssembly kernel aborted"); } },
  });
  return instance.exports as unknown as KernelExports;
}

/**
 * The WebAssembly kernels and their linear memory, used as scratch space:
 * a kernel lays out its operands from the heap base, copies inputs in, runs,
 * and copies outputs out. Kernels run one at a time on this thread.
 */
class WasmKernels {
  readonly fn = load();
  private heap: Float32Array = new Float32Array(this.fn.memory.buffer);

  /**
   * Reserves regions of the given float counts, each 64-byte aligned, and
   * returns their byte offsets. Earlier offsets become invalid.
   */
  layout(...floats: number[]): number[] {
    let p = (this.fn.heapBase() + 63) & ~63;
    const ptrs = floats.map((n) => {
      const at = p;
      p += (n * 4 + 63) & ~63;
      return at;
    });
    const have = this.fn.memory.buffer.byteLength;
    if (p > have) this.fn.memory.grow(Math.ceil((p - have) / 65536));
    return ptrs;
  }

  /** A Float32Array over the whole memory (renewed after growth). */
  get f32(): Float32Array {
    if (this.heap.buffer !== this.fn.memory.buffer) this.heap = new Float32Array(this.fn.memory.buffer);
    return this.heap;
  }
}

export const wasm = new WasmKernels();
