import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { after, before, describe, it } from "node:test";
import { Rng, cpuBackend, engine, registerKernel, tensor, type TensorInfo } from "../../engine/index.js";
import * as ag from "../../autograd/index.js";
import { webgpuBackend, type WebGpuBackend } from "../../engine/webgpu/index.js";
import { settingsFromEnv } from "../../engine/webgpu/settings.js";
import type { KernelArgs } from "../../engine/kernel_registry.js";

// What the WebGPU backend does beyond computing right (the conformance
// suite checks that): ordering, reuse, statistics, errors, fallback.

const gpu = await webgpuBackend();
const skip = typeof gpu === "string" ? `no WebGPU adapter: ${gpu}` : false;

/** A kernel only the CPU has: running sums along the last axis. */
const CUMSUM = "TestCumsum";
registerKernel(CUMSUM, cpuBackend.name, ({ inputs, backend }: KernelArgs<unknown, typeof cpuBackend>): TensorInfo[] => {
  const x = inputs[0]!;
  const v = backend.f32(x.dataId);
  if (v.some((e) => e < 0)) throw new Error("TestCumsum: expected non-negative values");
  const out = backend.allocate(v.length, "float32");
  const o = backend.f32(out);
  const c = x.shape[x.shape.length - 1]!;
  for (let i = 0; i < v.length; i++) o[i] = v[i]! + (i % c > 0 ? o[i - 1]! : 0);
  return [{ dataId: out, shape: x.shape, dtype: "float32" }];
});
const cumsum = (t: ReturnType<typeof tensor>) => engine.runKernel(CUMSUM, [t], {})[0]!;

describe("WebGPU backend", { skip }, () => {
  const b = gpu as WebGpuBackend;
  before(() => engine.setBackend("webgpu"));
  after(() => engine.setBackend("cpu"));

  it("keeps a released buffer out of reuse until the commands that read it are submitted", async () => {
    const n = 1000;
    const a = tensor(Float32Array.from({ length: n }, (_, i) => i - 500));
    const r = ag.relu(a); // recorded, not yet submitted
    a.dispose();
    // same size class: without the deferral this write would land in a's buffer before relu ran
    const c = tensor(new Float32Array(n).fill(-7));
    const got = await r.data();
    assert.deepEqual([...got.slice(498, 503)], [0, 0, 0, 1, 2]);
    assert.equal(got[999], 499);
    assert.equal((await c.data())[0], -7);
    r.dispose();
    c.dispose();
  });

  it("compiles one pipeline per shader, whatever the shapes (shapes travel as uniforms)", async () => {
    const before = b.stats().pipelines;
    for (const n of [3, 17, 1000, 4097]) ag.relu(tensor(new Float32Array(n))).dispose();
    ag.relu(tensor(new Float32Array(5))).dispose();
    await b.sync();
    assert.ok(b.stats().pipelines - before <= 1, `pipelines grew by ${b.stats().pipelines - before}`);
  });

  it("batches dispatches into few submissions", async () => {
    await b.sync();
    const s0 = b.stats();
    const x = tensor(new Float32Array(64).fill(1));
    let y = x;
    for (let i = 0; i < 200; i++) y = ag.addScalar(y, 1);
    assert.equal((await y.data())[0], 201);
    const s1 = b.stats();
    assert.equal(s1.dispatches - s0.dispatches, 200);
    assert.ok(s1.submissions - s0.submissions <= Math.ceil(200 / b.batchSize) + 1, `${s1.submissions - s0.submissions} submissions`);
  });

  it("runs a kernel it lacks on the CPU, in order with GPU work, and counts the copy", async () => {
    const x = ag.addScalar(tensor([1, 2, 3, 4, 5, 6], [2, 3]), 1); // produced on the GPU
    const y = ag.mulScalar(cumsum(x), 10); // GPU work on the fallback's output
    assert.deepEqual([...await y.data()], [20, 50, 90, 50, 110, 180]);
    const f = b.stats().fallbacks[CUMSUM]!;
    assert.equal(f.calls, 1);
    assert.equal(f.bytes, 2 * 6 * 4);
  });

  it("reports a failed fallback at the next read, and keeps working after it", async () => {
    const bad = cumsum(tensor([1, -1], [2]));
    await assert.rejects(bad.data(), /TestCumsum: expected non-negative values/);
    assert.deepEqual([...await ag.addScalar(tensor([1, 2]), 1).data()], [2, 3]);
  });

  it("surfaces an invalid shader as an error on the next read", async () => {
    const out = b.output(4, "float32");
    b.dispatch({ key: "broken", code: () => "this is not WGSL" }, [out], [], 1);
    await assert.rejects(b.read(out), /webgpu: .*WGSL/s);
    b.release(out);
  });

  it("computes right with every register tile the device script tries, and rejects tiles that cannot fit", async () => {
    const rng = new Rng(4);
    const [m, k, n] = [129, 65, 33]; // m >= 128: tileFor keeps tm = 8
    const av = Float32Array.from({ length: m * k }, () => rng.normal()), bv = Float32Array.from({ length: k * n }, () => rng.normal());
    const want = new Float64Array(m * n);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) for (let l = 0; l < k; l++) want[i * n + j] += av[i * k + l]! * bv[l * n + j]!;
    const saved = b.gemmTile;
    b.paths = { matmul: "tiled", conv: "auto" };
    try {
      for (const tile of ["8x8x8", "8x8x16", "2x8x4", "1x1x1"]) {
        const [tm, tn, bk] = tile.split("x").map(Number) as [number, number, number];
        b.gemmTile = { tm, tn, bk };
        const got = await ag.matmul(tensor(av, [m, k]), tensor(bv, [k, n])).data();
        got.forEach((v, i) => assert.ok(Math.abs(v - want[i]!) <= 1e-4 * (1 + Math.abs(want[i]!)), `tile ${tile}: element ${i} is ${v}, expected ${want[i]}`));
      }
    } finally {
      b.gemmTile = saved;
      b.paths = { matmul: "auto", conv: "auto" };
    }
    assert.throws(() => { b.gemmTile = { tm: 8, tn: 8, bk: 1024 }; }, /webgpu: expected a GEMM tile .* received \{"tm":8,"tn":8,"bk":1024\}/);
    assert.throws(() => { b.gemmTile = { tm: 0, tn: 4, bk: 8 }; }, /expected a GEMM tile/);
  });

  it("tells the caller to read asynchronously", () => {
    assert.throws(() => tensor([1]).dataSync(), /webgpu: values live on the GPU.*await tensor\.data\(\)/);
  });

  it("rejects tensors of another backend, naming both", () => {
    const onCpu = engine.tidy(() => { engine.setBackend("cpu"); const t = tensor([1]); engine.setBackend("webgpu"); return t; });
    assert.throws(() => ag.relu(onCpu), /inputs on backend 'webgpu'.*on 'cpu'/);
  });
});

describe("backend selection", () => {
  it("reads forced kernel paths and the GEMM tile from the environment, rejecting bad values", () => {
    assert.deepEqual(settingsFromEnv({}), { paths: {} });
    assert.deepEqual(settingsFromEnv({ KSHOT_WEBGPU_MATMUL: "direct", KSHOT_WEBGPU_CONV: "implicit", KSHOT_WEBGPU_TILE: "8x8x16" }),
      { paths: { matmul: "direct", conv: "implicit" }, tile: { tm: 8, tn: 8, bk: 16 } });
    assert.throws(() => settingsFromEnv({ KSHOT_WEBGPU_MATMUL: "fast" }), /KSHOT_WEBGPU_MATMUL: expected one of auto, tiled, direct, received 'fast'/);
    assert.throws(() => settingsFromEnv({ KSHOT_WEBGPU_TILE: "8x8" }), /TMxTNxBK .* received '8x8'/);
  });

  it("falls back to the CPU with one warning when no adapter exists", { skip: process.platform !== "linux" && "needs Mesa's EGL" }, () => {
    // a bogus EGL platform hides llvmpipe; with a real Vulkan driver present the check cannot apply
    const script = 'import { useBackend } from "./engine/webgpu/index.js"; console.log("using", await useBackend("webgpu"));';
    const r = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script],
      { encoding: "utf8", env: { ...process.env, EGL_PLATFORM: "no-such-platform" } });
    if (r.stdout.includes("using webgpu")) return;
    assert.match(r.stdout, /using cpu/);
    assert.equal(r.stderr.match(/kshot: no WebGPU adapter/g)?.length, 1, r.stderr);
  });
});
