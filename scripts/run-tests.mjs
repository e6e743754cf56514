// Runs every test/**/*.test.ts on node:test through tsx. Node 20's --test
// does not expand globs, so the files are listed here; none can be skipped
// by a pattern that silently matches nothing.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";

function find(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return find(p);
    return e.name.endsWith(".test.ts") ? [p] : [];
  });
}

const only = process.argv.slice(2);
const files = (only.length > 0 ? only : find("test")).sort();
if (files.length === 0) {
  console.error("run-tests: no test files found under test/");
  process.exit(1);
}
// the FMA kernels need relaxed SIMD, behind a flag before Node 22 (as the kshot command sets it)
const relaxed = Number(process.versions.node.split(".")[0]) < 22 ? ["--experimental-wasm-relaxed-simd"] : [];
const r = spawnSync(process.execPath, [...relaxed, "--import", "tsx", "--test", "--test-reporter=spec", ...files], { stdio: "inherit" });
process.exit(r.status ?? 1);
