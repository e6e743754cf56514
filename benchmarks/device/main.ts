// Entry of the device bundle (benchmarks/device/pack.mjs): the WebGPU
// benchmark alone, with `npm run bench -- --backend webgpu`'s flags.
import { parseBenchArgs } from "../args.js";
import { runGpuBench } from "../gpu.js";

await runGpuBench(parseBenchArgs(["--backend", "webgpu", ...process.argv.slice(2)]));
process.exit(0); // Dawn's device would keep the event loop alive
