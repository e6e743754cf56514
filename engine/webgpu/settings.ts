import type { KernelPaths } from "./backend_webgpu.js";
import type { GemmTile } from "./kernels/gemm.js";

/** "TMxTNxBK", as in `8x8x8`. */
export function parseTile(s: string): GemmTile {
  const m = /^(\d+)x(\d+)x(\d+)$/.exec(s);
  if (m === null) throw new Error(`webgpu: a GEMM tile is written TMxTNxBK (for example 8x8x8), received '${s}'`);
  const [tm, tn, bk] = [m[1], m[2], m[3]].map(Number) as [number, number, number];
  return { tm, tn, bk };
}

/**
 * Kernel paths and the GEMM tile forced from the environment, for runs of
 * the CLI: KSHOT_WEBGPU_MATMUL=auto|tiled|direct, KSHOT_WEBGPU_CONV=auto|implicit,
 * KSHOT_WEBGPU_TILE=TMxTNxBK. Unset means the defaults.
 */
export function settingsFromEnv(env: NodeJS.ProcessEnv): { paths: Partial<KernelPaths>; tile?: GemmTile } {
  const pick = <T extends string>(name: string, allowed: readonly T[]): T | undefined => {
    const v = env[name];
    if (v === undefined || v === "") return undefined;
    if (!(allowed as readonly string[]).includes(v)) throw new Error(`${name}: expected one of ${allowed.join(", ")}, received '${v}'`);
    return v as T;
  };
  const paths: Partial<KernelPaths> = {};
  const matmul = pick("KSHOT_WEBGPU_MATMUL", ["auto", "tiled", "direct"] as const);
  const conv = pick("KSHOT_WEBGPU_CONV", ["auto", "implicit"] as const);
  if (matmul !== undefined) paths.matmul = matmul;
  if (conv !== undefined) paths.conv = conv;
  const tile = env["KSHOT_WEBGPU_TILE"];
  return tile !== undefined && tile !== "" ? { paths, tile: parseTile(tile) } : { paths };
}
