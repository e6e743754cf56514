// `npm run bench -- --backend webgpu`: every GEMM (up to 4096) and
// convolution case on kshot's CPU backend, kshot's WebGPU backend and
// TensorFlow.js's WebGPU backend on the same adapter, in GFLOPS, then one
// NAS-Bench-201 supernet training step (loss read back included) on each
// kshot backend.
import { engine, waitForKernels, type Tensor } from "../engine/index.js";
import { parseTile, webgpuBackend } from "../engine/webgpu/index.js";
import { NotImplemented, depthwiseCases, gemmCases, nb201ConvCases, type BenchCase } from "./cases.js";
import { useTfjsWebgpu } from "./peers.js";
import { supernetTrainingStep } from "./supernet_setup.js";
import { loopMedianSeconds } from "./timing.js";

export interface GpuBenchOptions {
  quick: boolean; json: boolean; filter: string; print: (line: string) => void;
  /** Register tile of the tiled GEMM, "TMxTNxBK" (outputs per thread and shared-memory depth). */
  tile?: string;
}

const fmt = (g: number | null) => (g === null ? "n/a" : g.toFixed(2)).padStart(10);
const ratio = (a: number | null, b: number | null) => (a !== null && b !== null ? `${(a / b).toFixed(2)}x` : "n/a").padStart(9);

export async function runGpuBench(o: GpuBenchOptions): Promise<void> {
  const gpu = await webgpuBackend();
  if (typeof gpu === "string") throw new Error(`bench --backend webgpu: no WebGPU adapter (${gpu})`);
  if (o.tile !== undefined) gpu.gemmTile = parseTile(o.tile);
  const tfSync = await useTfjsWebgpu(gpu);
  const sync = () => gpu.sync();
  const emit = (c: string, impl: string, key: "gflops" | "ms", v: number | null) => { if (o.json) o.print(JSON.stringify({ case: c, impl, [key]: v })); };
  if (!o.json) {
    o.print(`GFLOPS on ${gpu.description} (${new Date().toISOString()}, node ${process.version}); webgpu paths: matmul ${gpu.paths.matmul}, conv ${gpu.paths.conv}, tile ${JSON.stringify(gpu.gemmTile)}`);
    o.print(`${"case".padEnd(52)} ${"kshot-cpu".padStart(10)} ${"kshot-gpu".padStart(10)} ${"tfjs-gpu".padStart(10)} ${"gpu/cpu".padStart(9)} ${"vs tfjs".padStart(9)}`);
  }
  const cases: BenchCase[] = [
    ...gemmCases(o.quick ? [256, 1024] : [128, 256, 512, 1024, 2048, 4096]),
    ...nb201ConvCases(),
    ...depthwiseCases(),
  ].filter((c) => c.name.includes(o.filter));
  for (const c of cases) {
    engine.setBackend("cpu");
    const cpu = c.flops / (await loopMedianSeconds(c.kshot(), async () => waitForKernels(), o.quick)) / 1e9;
    engine.setBackend("webgpu");
    const mine = c.flops / (await loopMedianSeconds(c.kshot(), sync, o.quick)) / 1e9;
    engine.setBackend("cpu");
    let peer: number | null = null;
    try {
      peer = c.flops / (await loopMedianSeconds(c.peer!(), tfSync, o.quick)) / 1e9;
    } catch (e) {
      if (!(e instanceof NotImplemented)) throw e;
    }
    emit(c.name, "kshot-cpu", "gflops", cpu);
    emit(c.name, "kshot-webgpu", "gflops", mine);
    emit(c.name, "tfjs-webgpu", "gflops", peer);
    if (!o.json) o.print(`${c.name.padEnd(52)} ${fmt(cpu)} ${fmt(mine)} ${fmt(peer)} ${ratio(mine, cpu)} ${ratio(mine, peer)}`);
  }
  const steps = [{ C: 8, N: 1, channels: 1, size: 28, label: "C=8 N=1 1x28x28 (the CLI's default)" }];
  if (!o.quick) steps.push({ C: 16, N: 5, channels: 3, size: 32, label: "C=16 N=5 3x32x32 (the paper's CIFAR supernet)" });
  for (const s of steps) {
    const name = `nb201 supernet step K=4 ${s.label}, batch 64`;
    if (!name.includes(o.filter)) continue;
    const ms: Record<string, number> = {};
    for (const backend of ["cpu", "webgpu"]) {
      engine.setBackend(backend);
      const setup = supernetTrainingStep({ ...s, K: 4 });
      // each timing round ends by reading its last loss back
      const last: { loss: Tensor | null } = { loss: null };
      const step = () => { last.loss?.dispose(); last.loss = setup.step(); };
      ms[backend] = (await loopMedianSeconds(step, async () => { await last.loss?.data(); }, true)) * 1000;
      last.loss?.dispose();
      setup.dispose();
      emit(name, `kshot-${backend}`, "ms", ms[backend]!);
    }
    engine.setBackend("cpu");
    if (!o.json) o.print(`${name}: cpu ${ms["cpu"]!.toFixed(0)} ms, webgpu ${ms["webgpu"]!.toFixed(0)} ms (${(ms["cpu"]! / ms["webgpu"]!).toFixed(2)}x)`);
  }
  const st = gpu.stats();
  if (!o.json) o.print(`webgpu statistics: ${st.dispatches} dispatches, ${st.submissions} submissions, ${st.pipelines} pipelines, fallbacks ${JSON.stringify(st.fallbacks)}`);
}
