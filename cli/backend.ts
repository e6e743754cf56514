import { availableParallelism } from "node:os";
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
  help: "threads that run CPU kernels, this one included, fewer while other processes hold cores; results are the same bits for any count (default: $KSHOT_THREADS, else the available cores)",
};

/** `--threads-oversubscribe`: allow more kernel threads than cores. */
export const oversubscribeFlag: FlagSpec = {
  type: "boolean",
  help: "allow --threads (or $KSHOT_THREADS) above the available cores; such threads take turns on the cores and every kernel waits for the slowest",
};

/**
 * Sizes the CPU kernel team from --threads, else $KSHOT_THREADS, else the
 * cores; returns the size. More threads than cores is refused unless
 * `oversubscribe`: the team's threads spin between calls, so a thread
 * without a core of its own holds up every kernel.
 */
export function selectThreads(command: string, value: unknown, oversubscribe = false): number {
  const [text, what] = value !== undefined ? [String(value), "--threads"] : [process.env["KSHOT_THREADS"], "KSHOT_THREADS"];
  if (text === undefined || text === "") return kernelThreads();
  let threads: number;
  try {
    threads = parseThreads(text, what);
  } catch (e) {
    throw new UsageError(`${command}: ${(e as Error).message}`);
  }
  const cores = availableParallelism();
  if (threads > cores && !oversubscribe) {
    throw new UsageError(`${command}: ${what} ${threads} is more than the ${cores} available core(s); give at most ${cores}, or --threads-oversubscribe to run more threads than cores`);
  }
  setKernelThreads(threads);
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
