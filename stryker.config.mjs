// Mutation testing (`npm run test:mutation`): StrykerJS plants one bug at a
// time in the code above the engine and runs the test files that cover it;
// a mutant no test notices "survives". node:test prints TAP, which the tap
// runner reads; tsx loads the TypeScript. See test/mutation/README.md for
// the scope, the incremental mode and the survivors that stay.
const scope = process.env.KSHOT_MUTATE?.split(",") ?? [
  "nas/study/**/*.ts",
  "nas/search/**/*.ts",
  "nas/space.ts",
  "nas/cost.ts",
  "workers/queue/**/*.ts",
  "data/**/*.ts",
  "report/**/*.ts",
];

export default {
  testRunner: "tap",
  tap: {
    testFiles: (process.env.KSHOT_MUTATION_TESTS?.split(",") ?? ["test/**/*.test.ts"]),
    nodeArgs: ["--experimental-wasm-relaxed-simd", "-r", "{{hookFile}}", "--import", "tsx", "{{testFile}}"],
    forceBail: true,
  },
  mutate: scope,
  coverageAnalysis: "perTest",
  concurrency: 2,
  timeoutMS: 60_000,
  timeoutFactor: 2,
  incremental: true,
  incrementalFile: "reports/mutation/stryker-incremental.json",
  reporters: ["html", "json", "clear-text", "progress"],
  htmlReporter: { fileName: "reports/mutation/index.html" },
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
  // the sandbox copies the checkout but for these: builds, run outputs, study checkpoints (the committed truth stays)
  ignorePatterns: ["dist", "runs", "reports", ".device", ".gl", "studies/*/"],
  // the type-check switch-off is for the code Stryker runs, not the AssemblyScript kernels (which it cannot parse)
  disableTypeChecks: "{app,cli,data,nas,report,train,workers}/**/*.ts",
  tempDirName: ".stryker-tmp",
  cleanTempDir: "always",
};
