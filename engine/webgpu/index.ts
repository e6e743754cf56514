/** The WebGPU backend (Dawn): `await useBackend("webgpu")` selects it, or the CPU with one warning when no adapter exists. */
import { engine } from "../index.js";
import { WebGpuBackend } from "./backend_webgpu.js";
import { requestGpu } from "./device.js";
import { registerWebGpuKernels } from "./register.js";
import { settingsFromEnv } from "./settings.js";

export { WebGpuBackend, GpuData, type GpuStats, type KernelPaths } from "./backend_webgpu.js";
export type { GemmTile } from "./kernels/gemm.js";
export { parseTile } from "./settings.js";

export const BACKENDS = ["cpu", "webgpu"] as const;

let webgpu: Promise<WebGpuBackend | string> | null = null;

/** The WebGPU backend, created and registered on first call; a string says why there is none. */
export function webgpuBackend(): Promise<WebGpuBackend | string> {
  webgpu ??= requestGpu().then((found) => {
    if ("reason" in found) return found.reason;
    const backend = new WebGpuBackend(found.device, found.description, found.instance, found.adapterOptions);
    const settings = settingsFromEnv(process.env);
    backend.paths = { ...backend.paths, ...settings.paths };
    if (settings.tile !== undefined) backend.gemmTile = settings.tile;
    registerWebGpuKernels(backend.name);
    engine.registerBackend(backend);
    return backend;
  });
  return webgpu;
}

/**
 * Makes `name` the active backend and returns the one in use: asking for
 * webgpu where no adapter exists warns once and keeps the CPU.
 */
export async function useBackend(name: string): Promise<string> {
  if (!(BACKENDS as readonly string[]).includes(name)) throw new Error(`backend: expected one of ${BACKENDS.join(", ")}, received '${name}'`);
  if (name === "webgpu") {
    const b = await webgpuBackend();
    if (typeof b === "string") {
      console.warn(`kshot: no WebGPU adapter (${b}); running on the CPU backend`);
      engine.setBackend("cpu");
      return "cpu";
    }
  }
  engine.setBackend(name);
  return name;
}
