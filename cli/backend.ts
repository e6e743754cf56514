import { engine, kernelThreads, parseThreads, setKernelThreads } from "../engine/index.js";
import { BACKENDS, WebGpuBackend, useBackend } from "../engine/webgpu/index.js";
import { UsageError, type FlagSpec } from "./args.js";

/** `--backend`, defaulting to $KSHOT_BACKEND, else the CPU. */
export const backendFlag: FlagSpec = {
  type: "string",
  help: `${BACKENDS.join(" | ")}; webgpu runs on a GPU through Dawn and falls back to cpu with a warning where none is found (default: $KSHOT_BACKEND, else cpu)`,
  default: process.env["KSHOT_BACKEND"] ?? "cpu",
};

/** Activates the backend a command asked for (before it creates any tensor) and returns the one in use. */
export async function selectBackend(command: string, value: unknown): Promise<string> {
  const name = String(value);
  if (!(BACKENDS as readonly string[]).includes(name)) throw new UsageError(`${command}: --backend expects ${BACKENDS.join(" or ")}, received '${name}'`);
  return useBackend(name);
}

/** `--threads`: the CPU kernel team's size. */
export const threadsFlag: FlagSpec = {
  type: "string",
  help: "threads that run CPU kernels, this one included; results are the same bits for any count (default: $KSHOT_THREADS, else the available cores)",
};

/** Sizes the CPU kernel team from --threads, else $KSHOT_THREADS, else the cores; returns the size. */
export function selectThreads(command: string, value: unknown): number {
  const [text, what] = value !== undefined ? [String(value), "--threads"] : [process.env["KSHOT_THREADS"], "KSHOT_THREADS"];
  if (text === undefined || text === "") return kernelThreads();
  try {
    setKernelThreads(parseThreads(text, what));
  } catch (e) {
    throw new UsageError(`${command}: ${(e as Error).message}`);
  }
  return kernelThreads();
}

/** What the GPU did, in one line (fallbacks to the CPU included); null on the CPU backend. */
export function gpuSummary(): string | null {
  const b = engine.backend;
  if (!(b instanceof WebGpuBackend)) return null;
  const s = b.stats();
  const fb = Object.entries(s.fallbacks).map(([k, f]) => `${k} x${f.calls} (${(f.bytes / 2 ** 20).toFixed(1)} MiB)`);
  return `webgpu (${b.description}): ${s.dispatches} dispatches in ${s.submissions} submissions, ${s.pipelines} pipelines; CPU fallbacks: ${fb.length > 0 ? fb.join(", ") : "none"}`;
}
