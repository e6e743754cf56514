import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

// Scratch directories for tests, removed when the test process exits, so a
// run of the suite (or a mutation run, which runs it thousands of times)
// leaves nothing behind in the system's temp folder.
const made: string[] = [];
process.on("exit", () => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** A new empty directory in the system's temp folder whose name starts with `prefix`; gone when the process exits. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}
