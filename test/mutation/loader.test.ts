import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { tempDir } from "../helpers/temp_dir.js";

// The mutation run starts each test file by its .ts name, loaded from the
// JavaScript the build step wrote beside it; a .ts without that JavaScript
// is not run as TypeScript behind the user's back.
test("mutation loader: a .ts module and its imports are loaded from the .js beside each", () => {
  const dir = tempDir("kshot-loader-");
  writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module" }));
  writeFileSync(join(dir, "main.ts"), "this is not what runs: : :");
  writeFileSync(join(dir, "main.js"), 'import { two } from "./dep.js";\nconsole.log(`main.js ${two}`);\n');
  writeFileSync(join(dir, "dep.js"), "export const two = 2;\n");
  const loader = resolve("scripts/mutation-loader.mjs");
  const run = spawnSync(process.execPath, ["--import", loader, join(dir, "main.ts")], { encoding: "utf8" });
  assert.equal(run.stderr, "");
  assert.equal(run.stdout, "main.js 2\n", "the .js ran, and found its import beside it");
  writeFileSync(join(dir, "alone.ts"), "console.log(1)");
  const alone = spawnSync(process.execPath, ["--import", loader, join(dir, "alone.ts")], { encoding: "utf8" });
  assert.notEqual(alone.status, 0);
  assert.match(alone.stderr, /alone\.js/, "names the missing JavaScript");
});
