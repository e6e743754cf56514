// Compiles the AssemblyScript kernels of the CPU backend twice (run by
// `npm install` through `prepare`): engine/cpu/wasm/kernels.wasm with plain
// SIMD, and kernels_fma.wasm with relaxed SIMD, whose multiply-adds V8
// lowers to fused ones (assembly/madd.ts). The memory is imported and shared:
// the CPU backend keeps tensors in it, and the threads of the kernel team run
// the same module over the same memory.
import asc from "assemblyscript/asc";

const builds = [
  { out: "engine/cpu/wasm/kernels.wasm", features: "simd,threads" },
  { out: "engine/cpu/wasm/kernels_fma.wasm", features: "simd,relaxed-simd,threads" },
];
for (const { out, features } of builds) {
  const { error, stderr } = await asc.main([
    "engine/cpu/wasm/assembly/index.ts",
    "--outFile", out,
    "-O3", "--noAssert", "--runtime", "stub",
    "--enable", features,
    "--importMemory", "--sharedMemory", "--zeroFilledMemory",
    "--initialMemory", "16", "--maximumMemory", "65536",
  ]);
  if (error) {
    console.error(stderr.toString());
    console.error(`build-wasm: ${error.message}`);
    process.exit(1);
  }
  console.log(`build-wasm: wrote ${out}`);
}
