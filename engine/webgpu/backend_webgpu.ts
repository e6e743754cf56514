import type { Backend, DataId, MemoryStats, TensorInfo } from "../backend.js";
import { allocArray, dtypeOfArray, type DType, type TypedArray } from "../dtype.js";
import { getKernel } from "../kernel_registry.js";
import { sizeOf } from "../shape.js";
import { cpuBackend } from "../cpu/backend_cpu.js";
import { BufferPool, sizeClass } from "./buffer_pool.js";
import { DEFAULT_TILE, type GemmTile } from "./kernels/gemm.js";

/** Storage of one tensor buffer on the GPU: `size` elements in a buffer of a rounded size class. */
export class GpuData {
  constructor(readonly buffer: GPUBuffer, readonly size: number, readonly dtype: DType) {}
  get bytes(): number {
    return this.size * 4;
  }
}

/** A compute shader: `key` names it with every compile-time choice; shapes travel as uniforms. */
export interface Program {
  key: string;
  code: () => string;
}

/** Which alternative kernel path to take; `auto` picks by shape. Tests force each one. */
export interface KernelPaths {
  /** Shared-memory tiles with several outputs per thread, or one output per thread. */
  matmul: "auto" | "tiled" | "direct";
  /** Implicit GEMM for every convolution, or a batched matmul for 1x1 stride-1 unpadded ones. */
  conv: "auto" | "implicit";
}

export interface GpuStats {
  dispatches: number;
  submissions: number;
  pipelines: number;
  /** Kernels that ran on the CPU because no GPU kernel exists: calls and bytes copied each way. */
  fallbacks: Record<string, { calls: number; bytes: number }>;
}

// A function: the GPUBufferUsage global exists only once device.ts has loaded Dawn.
const USAGE = () => GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
/** Uniform block: 32 u32 words (shapes, strides, scalars; the last holds NaN), bound at binding 0 of every program. */
export const UNIFORM_WORDS = 32;
const NAN_BITS = 0x7fc00000;
const MAX_GROUPS = 65535;

export class WebGpuBackend implements Backend {
  readonly name = "webgpu";
  paths: KernelPaths = { matmul: "auto", conv: "auto" };
  private tile: GemmTile = { ...DEFAULT_TILE };
  /** Dispatches recorded before the command buffer is submitted. */
  readonly batchSize = 64;
  private readonly pool: BufferPool;
  private readonly uniformPool = new BufferPool(8 * 2 ** 20);
  /**
   * The uniforms of the dispatches being recorded: one slot per dispatch in
   * one buffer, written with a single writeBuffer when the batch is
   * submitted, instead of a buffer and a write per dispatch.
   */
  private readonly uniformSlots: Uint32Array<ArrayBuffer>;
  private uniformBuffer: GPUBuffer | null = null;
  private readonly slotWords: number;
  /** The compute pass dispatches go into, open until a copy or a submission. */
  private pass: GPUComputePassEncoder | null = null;
  /** Compiled programs by key, each with its bind group layout (asking Dawn for it per dispatch costs). */
  private readonly pipelines = new Map<string, { pipeline: GPUComputePipeline; layout: GPUBindGroupLayout }>();
  private encoder: GPUCommandEncoder | null = null;
  private recorded = 0;
  /** Buffers released while commands that may use them are not yet submitted. */
  private pendingRelease: GPUBuffer[] = [];
  /** CPU fallbacks in flight: later submissions wait for them (see fallback()). */
  private chain: Promise<void> | null = null;
  private failure: unknown = null;
  private buffers = 0;
  private bytes = 0;
  private readonly counters: GpuStats = { dispatches: 0, submissions: 0, pipelines: 0, fallbacks: {} };
  private readonly warned = new Set<string>();

  /**
   * `instance` is held so the Dawn instance lives as long as the device (see
   * device.ts); with `adapterOptions` it lets another client (a benchmark
   * peer) reach the same adapter.
   */
  constructor(readonly device: GPUDevice, readonly description: string, readonly instance: GPU,
    readonly adapterOptions: GPURequestAdapterOptions = {}, poolLimitBytes = 1024 * 2 ** 20) {
    this.pool = new BufferPool(poolLimitBytes);
    this.slotWords = Math.max(UNIFORM_WORDS, device.limits.minUniformBufferOffsetAlignment / 4);
    this.uniformSlots = new Uint32Array(this.batchSize * this.slotWords);
    // Validation and out-of-memory errors arrive here, not as exceptions; the next read rejects with the first.
    device.onuncapturederror = (e) => { this.failure ??= new Error(`webgpu: ${e.error.message}`); };
  }

  /** Register tile of the tiled GEMM: outputs per thread (tm x tn) and shared-memory depth (bk). */
  get gemmTile(): GemmTile {
    return this.tile;
  }

  set gemmTile(t: GemmTile) {
    const shared = 4 * t.bk * 16 * (t.tm + t.tn);
    const limit = this.device.limits.maxComputeWorkgroupStorageSize;
    const ok = [t.tm, t.tn, t.bk].every((v) => Number.isInteger(v) && v >= 1) && t.tm <= 8 && t.tn <= 8 && shared <= limit;
    if (!ok) throw new Error(`webgpu: expected a GEMM tile with tm, tn in 1..8, bk >= 1 and ${limit} bytes of shared memory at most, received ${JSON.stringify(t)} (${shared} bytes)`);
    this.tile = { ...t };
  }

  // --- storage -------------------------------------------------------------

  /** New storage with undefined contents, for kernel outputs that write every element. */
  output(size: number, dtype: DType): GpuData {
    const cls = sizeClass(size * 4);
    const buffer = this.pool.take(cls) ?? this.device.createBuffer({ size: cls, usage: USAGE() });
    this.buffers++;
    this.bytes += cls;
    return new GpuData(buffer, size, dtype);
  }

  allocate(size: number, dtype: DType): DataId {
    const d = this.output(size, dtype);
    this.commands().clearBuffer(d.buffer);
    return d;
  }

  write(values: TypedArray): DataId {
    const d = this.output(values.length, dtypeOfArray(values));
    this.upload(d.buffer, values);
    return d;
  }

  /** Dawn takes no views of shared memory (where CPU tensors live): those are copied first. */
  private upload(buffer: GPUBuffer, values: TypedArray): void {
    if (values.length === 0) return;
    const v = values.buffer instanceof SharedArrayBuffer ? values.slice() : values;
    this.device.queue.writeBuffer(buffer, 0, v.buffer, v.byteOffset, v.byteLength);
  }

  async read(dataId: DataId): Promise<TypedArray> {
    const d = dataId as GpuData;
    const staging = this.stage(d);
    this.flush();
    try {
      await this.chain;
      return await this.unstage(staging, d, () => this.throwFailure());
    } finally {
      staging.destroy();
    }
  }

  /** Records a copy of `d` into a new mappable buffer (submitted with the next flush). */
  private stage(d: GpuData): GPUBuffer {
    const staging = this.device.createBuffer({ size: Math.max(4, d.bytes), usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    if (d.bytes > 0) this.commands().copyBufferToBuffer(d.buffer, 0, staging, 0, d.bytes);
    return staging;
  }

  /** `d`'s values from its staging buffer once mapped; `check` runs after the map (errors reported meanwhile). */
  private async unstage(staging: GPUBuffer, d: GpuData, check: () => void = () => {}): Promise<TypedArray> {
    await staging.mapAsync(GPUMapMode.READ);
    check();
    const out = allocArray(d.dtype, d.size);
    new Uint8Array(out.buffer).set(new Uint8Array(staging.getMappedRange(), 0, d.bytes));
    staging.unmap();
    return out;
  }

  readSync(): TypedArray {
    throw new Error("webgpu: values live on the GPU and are read asynchronously; use `await tensor.data()`");
  }

  release(dataId: DataId): void {
    const d = dataId as GpuData;
    this.buffers--;
    this.bytes -= d.buffer.size;
    if (this.encoder === null && this.chain === null) this.pool.put(d.buffer);
    else this.pendingRelease.push(d.buffer);
  }

  memory(): MemoryStats {
    return { buffers: this.buffers, bytes: this.bytes, pooledBytes: this.pool.pooledBytes };
  }

  stats(): GpuStats {
    return { ...this.counters, pipelines: this.pipelines.size, fallbacks: structuredClone(this.counters.fallbacks) };
  }

  // --- commands ------------------------------------------------------------

  /** The encoder, for commands outside a compute pass (copies, clears): ends the open pass. */
  private commands(): GPUCommandEncoder {
    this.pass?.end();
    this.pass = null;
    return (this.encoder ??= this.device.createCommandEncoder());
  }

  /** Copies `src`'s values into `dst`, in order with the dispatches around it. */
  copy(src: GpuData, dst: GpuData): void {
    if (src.bytes > 0) this.commands().copyBufferToBuffer(src.buffer, 0, dst.buffer, 0, src.bytes);
  }

  fill0(d: GpuData): void {
    this.commands().clearBuffer(d.buffer);
  }

  private pipeline(p: Program): { pipeline: GPUComputePipeline; layout: GPUBindGroupLayout } {
    let entry = this.pipelines.get(p.key);
    if (entry === undefined) {
      const module = this.device.createShaderModule({ code: p.code() });
      const pipeline = this.device.createComputePipeline({ layout: "auto", compute: { module, entryPoint: "main" } });
      entry = { pipeline, layout: pipeline.getBindGroupLayout(0) };
      this.pipelines.set(p.key, entry);
    }
    return entry;
  }

  /**
   * Records one dispatch of `program` over `groups` workgroups (x split into
   * x * y when it passes the 65535 limit; shaders recover the linear index
   * with `groupIndex()`). `uniforms` fill binding 0; `buffers` bind from 1 on.
   */
  dispatch(program: Program, buffers: readonly GpuData[], uniforms: ArrayLike<number>, groups: number | [number, number, number]): void {
    let [x, y, z] = typeof groups === "number" ? [groups, 1, 1] : groups;
    if (x * y * z === 0) return;
    if (typeof groups === "number" && x > MAX_GROUPS) [x, y] = [MAX_GROUPS, Math.ceil(x / MAX_GROUPS)];
    const { pipeline, layout } = this.pipeline(program);
    if (uniforms.length >= UNIFORM_WORDS) throw new Error(`webgpu: program ${program.key} passes ${uniforms.length} uniform words, at most ${UNIFORM_WORDS - 1} fit`);
    const bytes = this.batchSize * this.slotWords * 4;
    const ubuf = (this.uniformBuffer ??= this.uniformPool.take(bytes) ??
      this.device.createBuffer({ size: bytes, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST }));
    const at = this.recorded * this.slotWords;
    this.uniformSlots.fill(0, at, at + UNIFORM_WORDS);
    this.uniformSlots.set(uniforms, at);
    this.uniformSlots[at + UNIFORM_WORDS - 1] = NAN_BITS;
    const entries: GPUBindGroupEntry[] = [{ binding: 0, resource: { buffer: ubuf, offset: at * 4, size: UNIFORM_WORDS * 4 } }];
    buffers.forEach((b, i) => entries.push({ binding: i + 1, resource: { buffer: b.buffer } }));
    const bindGroup = this.device.createBindGroup({ layout, entries });
    if (this.pass === null) this.pass = this.commands().beginComputePass();
    this.pass.setPipeline(pipeline);
    this.pass.setBindGroup(0, bindGroup);
    this.pass.dispatchWorkgroups(x, y, z);
    this.counters.dispatches++;
    if (++this.recorded >= this.batchSize) this.flush();
  }

  /** Submits what was recorded; buffers released meanwhile return to the pool after it. */
  flush(): void {
    const released = this.pendingRelease, uniforms = this.uniformBuffer;
    this.pendingRelease = [];
    this.uniformBuffer = null;
    this.pass?.end();
    this.pass = null;
    if (uniforms !== null) this.device.queue.writeBuffer(uniforms, 0, this.uniformSlots, 0, this.recorded * this.slotWords);
    const cmd = this.encoder?.finish();
    this.encoder = null;
    this.recorded = 0;
    const submit = () => {
      if (cmd !== undefined) {
        this.device.queue.submit([cmd]);
        this.counters.submissions++;
      }
      for (const b of released) this.pool.put(b);
      if (uniforms !== null) this.uniformPool.put(uniforms);
    };
    if (this.chain === null) submit();
    else this.enqueue(submit);
  }

  /** Runs `fn` after the fallbacks in flight; `chain` drops back to null once all have settled. */
  private enqueue(fn: () => void | Promise<void>): void {
    const next = (this.chain ?? Promise.resolve()).then(fn).catch((e: unknown) => { this.failure ??= e; });
    this.chain = next;
    void next.then(() => { if (this.chain === next) this.chain = null; });
  }

  /** Waits until everything recorded so far has run. */
  async sync(): Promise<void> {
    this.flush();
    await this.chain;
    await this.device.queue.onSubmittedWorkDone();
    this.throwFailure();
  }

  private throwFailure(): void {
    if (this.failure === null) return;
    const e = this.failure;
    this.failure = null;
    throw e;
  }

  // --- CPU fallback ----------------------------------------------------------

  /**
   * Runs a kernel that has no GPU version on the CPU: the output shapes come
   * from a dry run on zero inputs, GPU outputs are allocated at once, and the
   * real run waits (in order with later submissions) until the inputs have
   * been read back; its results are then uploaded. Every call is counted,
   * with the bytes copied, and the first one per kernel warns.
   */
  fallback(kernel: string, inputs: readonly TensorInfo[], attrs: unknown): TensorInfo[] {
    const cpuKernel = getKernel(kernel, cpuBackend.name);
    const dryIn = inputs.map((t) => ({ ...t, dataId: cpuBackend.allocate((t.dataId as GpuData).size, t.dtype) }));
    const dryOut = cpuKernel({ inputs: dryIn, attrs, backend: cpuBackend });
    for (const t of [...dryIn, ...dryOut]) cpuBackend.release(t.dataId);
    const outs = dryOut.map((t) => ({ shape: t.shape, dtype: t.dtype, dataId: this.output(sizeOf(t.shape), t.dtype) }));

    const staged = inputs.map((t) => this.stage(t.dataId as GpuData));
    this.flush();
    const stat = (this.counters.fallbacks[kernel] ??= { calls: 0, bytes: 0 });
    stat.calls++;
    stat.bytes += inputs.reduce((s, t) => s + (t.dataId as GpuData).bytes, 0) + outs.reduce((s, t) => s + t.dataId.bytes, 0);
    if (!this.warned.has(kernel)) {
      this.warned.add(kernel);
      console.warn(`kshot webgpu: kernel ${kernel} has no GPU version; it runs on the CPU, copying its inputs and outputs (counted in stats().fallbacks)`);
    }
    const run = async () => {
      const ids = await Promise.all(staged.map(async (s, i) => {
        try {
          return cpuBackend.write(await this.unstage(s, inputs[i]!.dataId as GpuData));
        } finally {
          s.destroy();
        }
      }));
      try {
        const real = cpuKernel({ inputs: inputs.map((t, i) => ({ ...t, dataId: ids[i]! })), attrs, backend: cpuBackend });
        real.forEach((t, i) => {
          this.upload(outs[i]!.dataId.buffer, cpuBackend.values(t.dataId));
          cpuBackend.release(t.dataId);
        });
      } finally {
        for (const id of ids) cpuBackend.release(id);
      }
    };
    this.enqueue(run);
    return outs;
  }
}
