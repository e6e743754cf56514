import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import { kernelSet, KERNEL_SETS } from "../../engine/index.js";

// The two CPU kernel sets (engine/cpu/wasm/module.ts): plain SIMD and FMA.
// Each is loaded in a process of its own, as $KSHOT_KERNELS forces it.

/** This environment without node:test's marker, which would make a child's --test report to this runner instead of printing. */
function childEnv(): NodeJS.ProcessEnv {
  const { NODE_TEST_CONTEXT: _, ...env } = process.env;
  return env;
}

const NODE_MAJOR = Number(process.versions.node.split(".")[0]);

/** Runs `body` (an ES module, top-level await allowed) in a fresh node with the engine's exports in scope as `e`. */
function inProcess(body: string, env: Record<string, string>, nodeFlags: string[] = []) {
  const script = `const e = await import(${JSON.stringify(new URL("../../engine/index.ts", import.meta.url).href)});\n${body}`;
  return spawnSync(process.execPath, [...nodeFlags, "--import", "tsx", "--input-type=module", "-e", script],
    { encoding: "utf8", env: { ...process.env, ...env } });
}

/** A 37x53 by 53x29 product's bits as hex, and the multiply-add probe's value, under a forced set. */
const PROBE = `
const a = e.uniform([37, 53], new e.Rng(1), -1, 1), b = e.uniform([53, 29], new e.Rng(2), -1, 1);
const { matmul } = await import(${JSON.stringify(new URL("../../autograd/index.ts", import.meta.url).href)});
const bits = Buffer.from(matmul(a, b).dataSync().buffer).toString("hex");
const { wasm } = await import(${JSON.stringify(new URL("../../engine/cpu/wasm/module.ts", import.meta.url).href)});
console.log(JSON.stringify({ set: e.kernelSet(), probe: wasm.fn.maddProbe(1 + 2 ** -12, 1 + 2 ** -12, -(1 + 2 ** -11)), bits }));`;

const run = (set: string) => {
  const r = inProcess(PROBE, { KSHOT_KERNELS: set });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split("\n").at(-1)!) as { set: string; probe: number; bits: string };
};

describe("CPU kernel sets", () => {
  it("plain SIMD rounds a * b before adding c; FMA keeps the exact 2^-24; their products differ in the last bits", () => {
    const simd = run("simd");
    assert.deepEqual([simd.set, simd.probe], ["simd", 0]);
    const fma = run("fma");
    assert.deepEqual([fma.set, fma.probe], ["fma", 2 ** -24], "(1 + 2^-12)^2 - (1 + 2^-11), exact");
    assert.notEqual(fma.bits, simd.bits, "a 53-term dot product rounds differently when fused");
  });

  it("loads FMA by default where the runtime and the CPU have it (the test runner turns relaxed SIMD on, as the kshot command does)", () => {
    assert.equal(kernelSet(), "fma");
    assert.deepEqual([...KERNEL_SETS], ["simd", "fma"]);
  });

  it("a library user on Node 20 without the flag gets plain SIMD and one line that says how to turn FMA on", { skip: NODE_MAJOR >= 22 && "relaxed SIMD is on by default from Node 22" }, () => {
    const r = inProcess("console.log(e.kernelSet());", { KSHOT_KERNELS: "" });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), "simd");
    assert.equal(r.stderr.match(/kshot: the plain SIMD kernels, not the FMA ones: this runtime has relaxed SIMD off \(Node 20 and 21: run node with --experimental-wasm-relaxed-simd/g)?.length, 1, r.stderr);
  });

  it("refuses a kernel set it does not know", () => {
    const r = inProcess("console.log(e.kernelSet());", { KSHOT_KERNELS: "avx512" });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /KSHOT_KERNELS expects simd or fma, received 'avx512'/);
  });

  // the conformance suites (float64 references) and the thread-count bit identity, under the set this process did not load
  it("passes the kernel conformance suites and the 1, 2, 3-thread bit identity with plain SIMD forced", () => {
    const suites = ["matmul", "conv2d", "batchnorm", "pool", "reduce_softmax", "elementwise", "threads"].map((s) => new URL(`./${s}.test.ts`, import.meta.url).pathname);
    const r = spawnSync(process.execPath, ["--import", "tsx", "--test", "--test-reporter=tap", ...suites], { encoding: "utf8", env: { ...childEnv(), KSHOT_KERNELS: "simd" } });
    assert.equal(r.status, 0, r.stdout.split("\n").filter((l) => /not ok|fail/.test(l)).join("\n"));
    assert.match(r.stdout, /^# fail 0$/m);
    assert.ok(Number(/^# pass (\d+)$/m.exec(r.stdout)![1]) > 100, "the suites ran");
  });
});
