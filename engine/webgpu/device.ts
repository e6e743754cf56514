/**
 * Finds a WebGPU device through Dawn (npm package `webgpu`). Tries the
 * platform's native API first (Vulkan on Linux, Metal, D3D12), then Dawn's
 * OpenGL ES backend in compatibility mode, which runs on Mesa's llvmpipe
 * where there is no GPU at all (how CI tests the kernels).
 */
export interface GpuDevice {
  device: GPUDevice;
  /** Adapter in words, for logs and benchmark tables. */
  description: string;
  /**
   * The Dawn instance behind the device. It must stay reachable as long as
   * the device: collecting it tears down what the device runs on (a crash
   * in the next submission, seen on Dawn's OpenGL ES backend).
   */
  instance: GPU;
  /** The adapter options that found it (for a second client of the same instance). */
  adapterOptions: GPURequestAdapterOptions;
}

export type GpuLookup = GpuDevice | { reason: string };

type DawnModule = { create(flags: string[]): GPU; globals: Record<string, unknown> };

async function loadDawn(): Promise<DawnModule | string> {
  try {
    return (await import("webgpu")) as unknown as DawnModule;
  } catch (e) {
    return `the 'webgpu' package did not load (${(e as Error).message})`;
  }
}

/** The adapter's limits that kernels need above WebGPU's defaults. */
function requiredLimits(adapter: GPUAdapter): Record<string, number> {
  const l = adapter.limits;
  return {
    maxStorageBuffersPerShaderStage: l.maxStorageBuffersPerShaderStage,
    maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
    maxBufferSize: l.maxBufferSize,
    maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
    maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
    maxComputeWorkgroupSizeX: l.maxComputeWorkgroupSizeX,
    maxComputeWorkgroupSizeY: l.maxComputeWorkgroupSizeY,
    maxComputeWorkgroupSizeZ: l.maxComputeWorkgroupSizeZ,
  };
}

export async function requestGpu(): Promise<GpuLookup> {
  const dawn = await loadDawn();
  if (typeof dawn === "string") return { reason: dawn };
  for (const [name, value] of Object.entries(dawn.globals)) {
    if (!(name in globalThis)) (globalThis as Record<string, unknown>)[name] = value;
  }
  const attempts: { flags: string[]; options: GPURequestAdapterOptions }[] = [
    { flags: [], options: { powerPreference: "high-performance" } },
    { flags: ["backend=opengles"], options: { featureLevel: "compatibility" } },
  ];
  // Without a display, Mesa's EGL needs the surfaceless platform to find llvmpipe.
  if (process.platform === "linux") process.env["EGL_PLATFORM"] ??= "surfaceless";
  for (const { flags, options } of attempts) {
    const instance = dawn.create(flags);
    const adapter = await instance.requestAdapter(options);
    if (adapter === null) continue;
    const device = await adapter.requestDevice({ requiredLimits: requiredLimits(adapter) });
    const i = adapter.info;
    const description = [i.vendor, i.architecture, i.device, i.description].filter((s) => s !== "").join(" ").trim();
    return { device, description: description || "unnamed adapter", instance, adapterOptions: options };
  }
  return { reason: "Dawn found no adapter (no Vulkan/Metal/D3D12 driver, and no OpenGL ES through EGL)" };
}
