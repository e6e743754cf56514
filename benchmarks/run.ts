// `npm run bench [-- --json] [-- --filter TEXT] [-- --quick]`: times every
// case with benny for kshot and its peers in the same process, and prints
// GFLOPS (FLOPs / median time) with kshot's ratio to each peer.
import b from "benny";
import { NotImplemented, depthwiseCases, elementwiseCases, gemmCases, nb201ConvCases, type BenchCase } from "./cases.js";
import { peers, usePeer } from "./peers.js";

const args = process.argv.slice(2);
const json = args.includes("--json");
const quick = args.includes("--quick");
const filterAt = args.indexOf("--filter");
const filter = filterAt >= 0 ? args[filterAt + 1] ?? "" : "";

// stdout carries results only: benny announces each suite and tfjs greets
// Node users through console.log, so that goes to stderr.
const print = (line: string) => process.stdout.write(`${line}\n`);
console.log = console.error;

const seconds = (fn: () => void) => {
  const t0 = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t0) / 1e9;
};

/**
 * Median seconds per call of fn, measured by benny (benchmark.js). A call
 * slower than a second (tfjs-cpu's gradient kernels take up to minutes)
 * would keep benchmark.js busy for many minutes, so such cases take the
 * median of three plain timed calls instead (one call past five seconds).
 */
async function medianSeconds(name: string, fn: () => void): Promise<number> {
  const first = seconds(fn);
  if (first > 5) return first; // one call is all a multi-second kernel gets
  if (first > 1) {
    const runs = [first, seconds(fn), seconds(fn)].sort((x, y) => x - y);
    return runs[1]!;
  }
  let median = NaN;
  await b.suite(name,
    b.add(name, fn),
    b.configure({ cases: { minSamples: quick ? 2 : 5, maxTime: quick ? 0.2 : 1, delay: 0 } }),
    b.complete((summary) => { median = summary.results[0]!.details.median; }),
  );
  return median;
}

function emit(caseName: string, impl: string, gflops: number | null): void {
  if (json) print(JSON.stringify({ case: caseName, impl, gflops }));
}

const fmt = (g: number | null) => (g === null ? "n/a" : g.toFixed(2)).padStart(9);

async function runCase(c: BenchCase): Promise<void> {
  const kshotFn = c.kshot();
  const results: Record<string, number | null> = { kshot: c.flops / (await medianSeconds(c.name, kshotFn)) / 1e9 };
  emit(c.name, "kshot", results.kshot!);
  for (const peer of peers) {
    await usePeer(peer);
    let g: number | null = null;
    try {
      const fn = c.peer!();
      g = c.flops / (await medianSeconds(`${c.name} ${peer}`, fn)) / 1e9;
    } catch (e) {
      if (!(e instanceof NotImplemented)) throw e;
    }
    results[peer] = g;
    emit(c.name, peer, g);
  }
  if (c.other) {
    const fn = c.other.setup();
    results[c.other.label] = c.flops / (await medianSeconds(`${c.name} ${c.other.label}`, fn)) / 1e9;
    emit(c.name, c.other.label, results[c.other.label]!);
  }
  if (!json) {
    const k = results.kshot!;
    const ratio = (p: string) => (results[p] ? `${(k / results[p]!).toFixed(1)}x`.padStart(8) : "     n/a");
    const extra = c.other ? `  ${c.other.label} ${fmt(results[c.other.label]!)}  x${ratio(c.other.label)}` : "";
    print(`${c.name.padEnd(52)} ${fmt(k)} ${fmt(results["tfjs-cpu"]!)} ${fmt(results["tfjs-wasm"]!)}   ${ratio("tfjs-cpu")} ${ratio("tfjs-wasm")}${extra}`);
  }
}

const cases = [
  ...gemmCases(quick ? [128, 256] : [128, 256, 512, 1024]),
  ...nb201ConvCases(),
  ...depthwiseCases(),
  ...elementwiseCases(),
].filter((c) => c.name.includes(filter));

if (!json) {
  print(`GFLOPS, median of benny samples; ratios are kshot / peer (${new Date().toISOString()}, node ${process.version})`);
  print(`${"case".padEnd(52)} ${"kshot".padStart(9)} ${"tfjs-cpu".padStart(9)} ${"tfjs-wasm".padStart(9)}   ${"vs cpu".padStart(8)} ${"vs wasm".padStart(8)}`);
}
for (const c of cases) await runCase(c);
