import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { basename } from "node:path";
import { test } from "node:test";

// The tests' scratch folders (temp_dir.ts) go when the process that made them exits.

test("tempDir: a new folder named by its prefix, removed with its contents when the process exits", () => {
  const helper = new URL("./temp_dir.ts", import.meta.url).href;
  const script = `const { tempDir } = await import(${JSON.stringify(helper)});
const { writeFileSync, mkdirSync, existsSync } = await import("node:fs");
const a = tempDir("kshot-tempdir-"), b = tempDir("kshot-tempdir-");
mkdirSync(a + "/sub"); writeFileSync(a + "/sub/f", "x");
console.log(JSON.stringify({ a, b, there: existsSync(a + "/sub/f") && existsSync(b) }));`;
  const r = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  const { a, b, there } = JSON.parse(r.stdout) as { a: string; b: string; there: boolean };
  assert.equal(there, true, "made while the process ran");
  assert.notEqual(a, b);
  assert.match(basename(a), /^kshot-tempdir-/);
  assert.equal(existsSync(a), false, "gone with its contents");
  assert.equal(existsSync(b), false);
});
