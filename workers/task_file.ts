import { fileURLToPath } from "node:url";

/**
 * The path of a piscina task module beside `from` (an import.meta.url): the
 * compiled `.js` when kshot runs from dist/, the `.ts` source when the sources
 * run under tsx (tests, benchmarks), whose `--import tsx` the workers inherit.
 */
export function taskFile(name: string, from: string): string {
  const ext = from.endsWith(".ts") ? ".ts" : ".js";
  return fileURLToPath(new URL(`./${name}${ext}`, from));
}
