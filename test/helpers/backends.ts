import { after, before, describe } from "node:test";
import { engine } from "../../engine/index.js";
import { splitEveryCall } from "./split_team.js";
import { convSettings } from "../../engine/cpu/kernels/conv2d.js";
import { webgpuBackend, type KernelPaths } from "../../engine/webgpu/index.js";

/**
 * The conformance suite runs each engine test file once per backend variant:
 * the CPU (for threaded kernels: with 1, 2 and 3 threads forced, every call
 * split however small; for convolutions: with each algorithm forced), and the WebGPU backend with each alternative kernel
 * path forced.
 * Without an adapter the WebGPU variants are skipped, unless
 * KSHOT_REQUIRE_WEBGPU=1 (as in CI), where that is an error.
 */
export interface Variant {
  name: string;
  backend: "cpu" | "webgpu";
  paths?: Partial<KernelPaths>;
  /** CPU kernel threads, forced on calls of any size. */
  threads?: number;
  /** CPU convolution algorithm, forced where it applies. */
  cpuConv?: typeof convSettings.direct;
}

export const CPU: Variant = { name: "cpu", backend: "cpu" };
export const CPU_THREADS: Variant[] = [1, 2, 3].map((threads) => ({ name: `cpu, ${threads} thread(s)`, backend: "cpu", threads }));
export const CPU_CONV_FORCED: Variant[] = [
  { name: "cpu, im2col + GEMM forced, 2 threads", backend: "cpu", threads: 2, cpuConv: "never" },
  { name: "cpu, direct convolution forced, 2 threads", backend: "cpu", threads: 2, cpuConv: "always" },
  { name: "cpu, Winograd forced for 3x3, 2 threads", backend: "cpu", threads: 2, cpuConv: "winograd" },
];
export const WEBGPU: Variant = { name: "webgpu", backend: "webgpu" };
export const WEBGPU_TILED: Variant = { name: "webgpu, tiled GEMM", backend: "webgpu", paths: { matmul: "tiled" } };
export const WEBGPU_DIRECT: Variant = { name: "webgpu, direct GEMM", backend: "webgpu", paths: { matmul: "direct" } };
export const WEBGPU_IMPLICIT_TILED: Variant = { name: "webgpu, implicit GEMM tiled", backend: "webgpu", paths: { conv: "implicit", matmul: "tiled" } };
export const WEBGPU_IMPLICIT_DIRECT: Variant = { name: "webgpu, implicit GEMM direct", backend: "webgpu", paths: { conv: "implicit", matmul: "direct" } };

const gpu = await webgpuBackend();
if (typeof gpu === "string" && process.env["KSHOT_REQUIRE_WEBGPU"] === "1") {
  throw new Error(`KSHOT_REQUIRE_WEBGPU=1 but there is no WebGPU adapter: ${gpu}`);
}

/** `body` defines the tests of one suite; it runs once per variant, with that backend active. */
export function conformance(name: string, variants: readonly Variant[], body: (v: Variant) => void): void {
  for (const v of variants) {
    const title = `${name} [${v.name}]`;
    if (v.backend === "webgpu" && typeof gpu === "string") {
      describe(title, { skip: `no WebGPU adapter: ${gpu}` }, () => {});
      continue;
    }
    describe(title, () => {
      let restoreTeam: (() => void) | undefined;
      const cpuConv = convSettings.direct;
      before(() => {
        engine.setBackend(v.backend);
        if (typeof gpu !== "string") gpu.paths = { matmul: "auto", conv: "auto", ...v.paths };
        if (v.threads !== undefined) restoreTeam = splitEveryCall(v.threads);
        if (v.cpuConv !== undefined) convSettings.direct = v.cpuConv;
      });
      after(() => {
        engine.setBackend("cpu");
        restoreTeam?.();
        convSettings.direct = cpuConv;
      });
      body(v);
    });
  }
}
