// `npm run bench [-- --json] [-- --filter TEXT] [-- --quick] [-- --busy N] [-- --backend webgpu [--tile TMxTNxBK]]`:
// times every case with benny for kshot and its peers in the same process,
// and prints GFLOPS (FLOPs / median time) with kshot's ratio to each peer;
// with --busy N, all of them beside N spinning one-thread processes.
import { kernelSet, waitForKernels } from "../engine/index.js";
import { parseBenchArgs } from "./args.js";
import { startBusy } from "./busy_processes.js";
import { NotImplemented, depthwiseCases, gemmCases, nb201ConvCases, type BenchCase } from "./cases.js";
import { elementwiseCases } from "./elementwise_case.js";
import { peers, usePeer } from "./peers.js";
import { medianSeconds } from "./timing.js";
import { runGpuBench } from "./gpu.js";

const { json, quick, filter, backend, tile, print, busy: busyCount } = parseBenchArgs(process.argv.slice(2));

function emit(caseName: string, impl: string, gflops: number | null): void {
  if (json) print(JSON.stringify({ case: caseName, impl, gflops }));
}

const fmt = (g: number | null) => (g === null ? "n/a" : g.toFixed(2)).padStart(9);

async function runCase(c: BenchCase): Promise<void> {
  // kernel calls may still be queued when the case returns: each timed call waits for them
  const kshotCall = c.kshot(), kshotFn = () => { kshotCall(); waitForKernels(); };
  const results: Record<string, number | null> = { kshot: c.flops / (await medianSeconds(c.name, kshotFn, quick)) / 1e9 };
  emit(c.name, "kshot", results.kshot!);
  for (const peer of peers) {
    await usePeer(peer);
    let g: number | null = null;
    try {
      const fn = c.peer!();
      g = c.flops / (await medianSeconds(`${c.name} ${peer}`, fn, quick)) / 1e9;
    } catch (e) {
      if (!(e instanceof NotImplemented)) throw e;
    }
    results[peer] = g;
    emit(c.name, peer, g);
  }
  if (c.other) {
    const fn = c.other.setup();
    results[c.other.label] = c.flops / (await medianSeconds(`${c.name} ${c.other.label}`, fn, quick)) / 1e9;
    emit(c.name, c.other.label, results[c.other.label]!);
  }
  if (!json) {
    const k = results.kshot!;
    const ratio = (p: string) => (results[p] ? `${(k / results[p]!).toFixed(1)}x`.padStart(8) : "     n/a");
    const extra = c.other ? `  ${c.other.label} ${fmt(results[c.other.label]!)}  x${ratio(c.other.label)}` : "";
    print(`${c.name.padEnd(52)} ${fmt(k)} ${fmt(results["tfjs-cpu"]!)} ${fmt(results["tfjs-wasm"]!)}   ${ratio("tfjs-cpu")} ${ratio("tfjs-wasm")}${extra}`);
  }
}

if (backend === "webgpu") {
  await runGpuBench({ quick, json, filter, print, tile });
  process.exit(0); // Dawn's device would keep the event loop alive
}

const cases = [
  ...gemmCases(quick ? [128, 256] : [128, 256, 512, 1024]),
  ...nb201ConvCases(),
  ...depthwiseCases(),
  ...elementwiseCases(),
].filter((c) => c.name.includes(filter));

const busy = await startBusy(busyCount);
if (!json) {
  print(`GFLOPS, median of benny samples; ratios are kshot / peer (${new Date().toISOString()}, node ${process.version}, kshot CPU kernels: ${kernelSet()})`);
  if (busy.count > 0) print(`kshot and its peers beside ${busy.count} busy one-thread process${busy.count > 1 ? "es" : ""}`);
  print(`${"case".padEnd(52)} ${"kshot".padStart(9)} ${"tfjs-cpu".padStart(9)} ${"tfjs-wasm".padStart(9)}   ${"vs cpu".padStart(8)} ${"vs wasm".padStart(8)}`);
}
for (const c of cases) await runCase(c);
busy.stop();
