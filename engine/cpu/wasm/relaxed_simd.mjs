// Imported first by the kshot command (cli/bin.ts), the test runner and the
// benchmarks, before the kernels compile: Node 20 and 21 ship WebAssembly
// relaxed SIMD behind a flag (Node 22 has it on), and the FMA kernel set
// needs it. A V8 flag is process-wide, so the worker threads started later
// see it too. Plain JavaScript, so that `node --import` loads it without a
// TypeScript loader (worker threads inherit that flag). A library user who
// wants the FMA kernels on Node 20 runs node with the same flag.
import { setFlagsFromString } from "node:v8";

const major = Number(process.versions.node.split(".")[0]);
if (major < 22) setFlagsFromString("--experimental-wasm-relaxed-simd");
