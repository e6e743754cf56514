import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

let root: string | undefined;

/**
 * The kshot package's root: the nearest folder above this module whose
 * package.json names kshot. The same folder whether the code runs from the
 * sources (tsx) or from dist/, in a checkout or installed under node_modules.
 */
export function packageRoot(): string {
  if (root !== undefined) return root;
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, "utf8")) as { name?: string }).name === "kshot") return (root = dir);
    if (dirname(dir) === dir) throw new Error(`kshot: no package.json of kshot above ${fileURLToPath(import.meta.url)}`);
  }
}

/** A file shipped with the package (the embedded data, the committed truth, package.json), by its path from the root. */
export function packageFile(path: string): string {
  return join(packageRoot(), path);
}

/** The committed ground truth of the rank study, by its path from the package root (studies/README.md: how it was made). */
export const COMMITTED_TRUTH_NAME = "studies/nb201-fashion-mnist-truth.csv";
