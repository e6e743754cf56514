// Compiles the AssemblyScript kernels of the CPU backend into
// engine/cpu/wasm/kernels.wasm (run by `npm install` through `prepare`).
// The memory is imported and shared: the CPU backend keeps tensors in it, and
// the threads of the kernel team run the same module over the same memory.
import asc from "assemblyscript/asc";

const out = "engine/cpu/wasm/kernels.wasm";
const { error, stderr } = await asc.main([
  "engine/cpu/wasm/assembly/index.ts",
  "--outFile", out,
  "-O3", "--noAssert", "--runtime", "stub",
  "--enable", "simd,threads",
  "--importMemory", "--sharedMemory", "--zeroFilledMemory",
  "--initialMemory", "16", "--maximumMemory", "65536",
]);
if (error) {
  console.error(stderr.toString());
  console.error(`build-wasm: ${error.message}`);
  process.exit(1);
}
console.log(`build-wasm: wrote ${out}`);
