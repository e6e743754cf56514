// Stryker's build step (`buildCommand` in stryker.config.mjs): writes each
// TypeScript file of the sandbox as JavaScript beside it, so that every
// test process of the mutation run starts on plain Node instead of tsx.
// tsx's loader costs about 0.6 s per process, which is most of a fast test
// file's time, and the tap runner starts one process per test file per
// mutant. Imports already name `.js`, so the emitted files find each other.
// Types are not checked here (the instrumented code is `@ts-nocheck` anyway);
// `npm run typecheck` does that. Refuses to run outside a Stryker sandbox,
// where it would litter the checkout with generated files.
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join, sep } from "node:path";
import ts from "typescript";

if (!process.cwd().split(sep).includes(".stryker-tmp")) {
  console.error(`mutation-transpile: ${process.cwd()} is not a Stryker sandbox (.stryker-tmp/...); it writes .js files beside every .ts file, so it runs only there`);
  process.exit(2);
}

// the folders the type-check covers, minus what it excludes (the AssemblyScript kernels, compiled to WebAssembly)
const tsconfig = JSON.parse(readFileSync("tsconfig.json", "utf8"));
const skip = new Set(tsconfig.exclude.map((p) => p.split("/").at(-1)));
const options = { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 };

let files = 0;
const walk = (path) => {
  if (statSync(path).isDirectory()) {
    for (const entry of readdirSync(path)) if (!skip.has(entry)) walk(join(path, entry));
  } else if (path.endsWith(".ts") && !path.endsWith(".d.ts")) {
    const { outputText } = ts.transpileModule(readFileSync(path, "utf8"), { compilerOptions: options, fileName: path });
    writeFileSync(`${path.slice(0, -3)}.js`, outputText);
    files++;
  }
};
const start = Date.now();
for (const root of tsconfig.include) if (existsSync(root)) walk(root);
console.log(`mutation-transpile: ${files} files in ${((Date.now() - start) / 1000).toFixed(1)} s`);
