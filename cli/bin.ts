// The `kshot` executable: runs the CLI and exits with its code. An error that
// escapes a command (from a timer or an event emitter, past main's own catch)
// is a bug; it still ends as one line and a non-zero exit, never a stack trace
// (KSHOT_DEBUG=1 prints it).
import "../engine/cpu/wasm/relaxed_simd.mjs"; // first: before the kernels compile
import { main } from "./main.js";

for (const event of ["uncaughtException", "unhandledRejection"] as const) {
  process.on(event, (e: unknown) => {
    process.stderr.write(`kshot: internal error: ${e instanceof Error ? e.message.split("\n")[0] : String(e)} (please report it; KSHOT_DEBUG=1 shows where)\n`);
    if (process.env.KSHOT_DEBUG) console.error(e);
    process.exit(1);
  });
}

process.exitCode = await main(process.argv.slice(2));
