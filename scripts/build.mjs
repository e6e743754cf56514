// Builds the package (run by `npm install` through `prepare`, or `npm run build`):
// the WebAssembly kernels, then dist/ from the TypeScript sources with
// declarations, then the files the compiled code loads from beside itself
// (the kernels, the kernel team's plain-JavaScript thread and its call queue).
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

const step = (what, args) => {
  const r = spawnSync(process.execPath, args, { stdio: "inherit" });
  if (r.status !== 0) {
    console.error(`build: ${what} failed`);
    process.exit(r.status ?? 1);
  }
};

step("the WebAssembly kernels", ["scripts/build-wasm.mjs"]);
rmSync("dist", { recursive: true, force: true });
step("tsc", [createRequire(import.meta.url).resolve("typescript/bin/tsc"), "-p", "tsconfig.build.json"]);
const wasmDir = "engine/cpu/wasm";
mkdirSync(join("dist", wasmDir), { recursive: true });
for (const f of ["kernels.wasm", "kernels_fma.wasm", "team_worker.mjs", "team_queue.mjs", "team_queue.d.mts", "relaxed_simd.mjs", "relaxed_simd.d.mts"]) copyFileSync(join(wasmDir, f), join("dist", wasmDir, f));
console.log("build: wrote dist/");
