// Compiles the AssemblyScript kernels of the CPU backend into
// engine/cpu/wasm/kernels.wasm (run by `npm install` through `prepare`).
import asc from "assemblyscript/asc";

const out = "engine/cpu/wasm/kernels.wasm";
const { error, stderr } = await asc.main([
  "engine/cpu/wasm/assembly/index.ts",
  "--outFile", out,
  "-O3", "--noAssert", "--runtime", "stub",
  "--enable", "simd",
  "--initialMemory", "16",
]);
if (error) {
  console.error(stderr.toString());
  console.error(`build-wasm: ${error.message}`);
  process.exit(1);
}
console.log(`build-wasm: wrote ${out}`);
