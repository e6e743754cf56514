import { parseBusy } from "./busy_processes.js";

/** Flags of `npm run bench`, shared with the device bundle's entry. */
export interface BenchArgs {
  json: boolean; quick: boolean; filter: string; backend: "cpu" | "webgpu"; tile: string | undefined;
  /** One-thread processes that spin beside every case (busy_processes.ts). */
  busy: number;
  /** Writes one line of results to stdout. */
  print: (line: string) => void;
}

export function parseBenchArgs(args: string[]): BenchArgs {
  const value = (flag: string) => { const at = args.indexOf(flag); return at >= 0 ? args[at + 1] ?? "" : undefined; };
  const backend = value("--backend") ?? "cpu";
  if (backend !== "cpu" && backend !== "webgpu") throw new Error(`bench: --backend expects cpu or webgpu, received '${backend}'`);
  // stdout carries results only: benny announces each suite and tfjs greets
  // Node users through console.log, so that goes to stderr.
  console.log = console.error;
  return {
    json: args.includes("--json"), quick: args.includes("--quick"), filter: value("--filter") ?? "", backend, tile: value("--tile"),
    busy: parseBusy(args, "bench"),
    print: (line) => process.stdout.write(`${line}\n`),
  };
}
