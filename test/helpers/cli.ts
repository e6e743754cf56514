import { fileURLToPath } from "node:url";

/**
 * The node arguments that run the `kshot` CLI from the sources (through tsx,
 * absolute paths, so any working directory works): the tests check the code as
 * it is, not a dist/ that may be stale. The package test (test/package) runs
 * the compiled one.
 */
export const KSHOT: readonly string[] = ["--import", import.meta.resolve("tsx"), fileURLToPath(new URL("../../cli/bin.ts", import.meta.url))];
