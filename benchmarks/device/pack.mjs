// Packs what the WebGPU benchmark needs on a machine with no registry and
// no Node (the device tool's GPU machines) into .device/: the benchmark as
// one ES module (esbuild), the CPU kernels' WebAssembly beside it, Dawn's
// Linux x64 addon as a `webgpu` package, and this machine's node binary,
// xz-compressed. `bash benchmarks/device/run.sh` unpacks and runs it there.
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const out = ".device";
rmSync(out, { recursive: true, force: true });
const pkg = join(out, "node_modules", "webgpu");
mkdirSync(join(pkg, "dist", "linux-x64"), { recursive: true });

execFileSync("npx", ["esbuild", "benchmarks/device/main.ts", "--bundle", "--platform=node", "--format=esm", "--target=node20",
  "--external:webgpu", `--outfile=${join(out, "bench.mjs")}`,
  // bundled CommonJS dependencies call require(); give the module one
  "--banner:js=import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);"], { stdio: "inherit" });
copyFileSync("engine/cpu/wasm/kernels.wasm", join(out, "kernels.wasm"));
for (const f of ["index.js", "package.json"]) copyFileSync(join("node_modules", "webgpu", f), join(pkg, f));
// the two binaries travel compressed: the device tool carries at most 64 MiB
const xz = (file) => execFileSync("xz", ["-T0", "-6", "-c", file], { maxBuffer: 1 << 30 });
writeFileSync(join(pkg, "dist", "linux-x64", "dawn.node.xz"), xz(join("node_modules", "webgpu", "dist", "linux-x64", "dawn.node")));
writeFileSync(join(out, "node.xz"), xz(process.execPath));
console.log(execFileSync("du", ["-sh", out], { encoding: "utf8" }).trim());
