import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../helpers/temp_dir.js";

/** A checkout in miniature: bin/kshot.mjs, a dist/ whose CLI prints "ran", one source file. */
function checkout(): string {
  const root = tempDir("kshot-bin-");
  mkdirSync(join(root, "bin"));
  copyFileSync("bin/kshot.mjs", join(root, "bin", "kshot.mjs"));
  mkdirSync(join(root, "dist", "cli"), { recursive: true });
  writeFileSync(join(root, "dist", "cli", "bin.js"), 'console.log("ran");\n');
  mkdirSync(join(root, "nas", "search"), { recursive: true });
  writeFileSync(join(root, "nas", "search", "nsga2.ts"), "export {};\n");
  return root;
}
const run = (root: string) => spawnSync(process.execPath, [join(root, "bin", "kshot.mjs")], { encoding: "utf8" });
const at = (root: string, path: string, seconds: number) => utimesSync(join(root, path), seconds, seconds);

test("checkout bin: runs dist/ silently when it is newer than every source", () => {
  const root = checkout();
  at(root, "nas/search/nsga2.ts", 1_000_000);
  at(root, "dist/cli/bin.js", 1_000_100);
  const r = run(root);
  assert.equal(r.status, 0);
  assert.equal(r.stdout, "ran\n");
  assert.equal(r.stderr, "");
});

test("checkout bin: a source newer than dist/ is named in a one-line warning, and the last build still runs", () => {
  const root = checkout();
  at(root, "dist/cli/bin.js", 1_000_000);
  at(root, "nas/search/nsga2.ts", 1_000_100);
  const r = run(root);
  assert.equal(r.stdout, "ran\n");
  assert.equal(r.stderr, "kshot: warning: dist/ is older than nas/search/nsga2.ts: this runs the last build, not the sources; run 'npm run build'\n");
});

test("checkout bin: no dist/ is one line and exit code 1", () => {
  const root = checkout();
  rmSync(join(root, "dist"), { recursive: true });
  const r = run(root);
  assert.equal(r.status, 1);
  assert.equal(r.stdout, "");
  assert.equal(r.stderr, "kshot: dist/ is not built; run 'npm run build' (npm install does it)\n");
});
