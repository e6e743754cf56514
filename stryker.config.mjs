// Mutation testing (`npm run test:mutation`): StrykerJS plants one bug at a
// time in the code above the engine and runs the test files that cover it;
// a mutant no test notices "survives". node:test prints TAP, which the tap
// runner reads. A build step writes the sandbox's TypeScript as JavaScript
// beside it (scripts/mutation-transpile.mjs), so that each test process
// starts on plain Node, not tsx. See test/mutation/README.md for
// the scope, the incremental mode and the survivors that stay.
// The default run: the code above the engine that has fast tests of its own
// (a second or two per file, no training), and those test files. Stryker's
// tap runner starts a process per test file per mutant, so one slow file
// covering a module makes the whole run slow. Modules whose behaviour is
// still tested only through trainings or Redis (the supernet
// session, the queue's coordinator and worker, train/, app/, cli/) stay out
// until they have such tests: test/mutation/README.md lists them.
const scope = process.env.KSHOT_MUTATE?.split(",") ?? [
  "nas/search/*.ts",
  "nas/study/{statistics,truth}.ts",
  "nas/space.ts",
  "nas/cost.ts",
  "nas/nb201/arch.ts",
  "nas/nb201/space.ts",
  "nas/nb201/cost.ts",
  "nas/mbv2/*.ts",
  "nas/supernet/{kshot_weight,simplex_net,path_code,regularizer,width_codes,trainer,evaluate}.ts",
  "workers/queue/{protocol,artifacts,decisions}.ts",
  "data/**/*.ts",
  "report/**/*.ts",
  "app/ablation_verdict.ts",
];
const fastTests = [
  "test/search/{nsga2,nsga2_loop,operators,oracle,ranking,supernet_search}.test.ts",
  "test/nas/{study_statistics,study_truth,cost,mbv2_space,mbv2_network,nb201_isomorphism,supernet_parts,supernet_trainer,supernet_evaluate,width_codes,space,nb201_network}.test.ts",
  "test/workers/{queue_protocol,queue_decisions}.test.ts",
  "test/data/*.test.ts",
  "test/train/data.test.ts", // the readers and batches of data/, in a second and a half
  "test/report/*.test.ts",
  "test/app/ablation_verdict.test.ts",
];

// run from the JavaScript the build step writes beside each (scripts/mutation-loader.mjs)
const testFiles = process.env.KSHOT_MUTATION_TESTS?.split(",") ?? fastTests;

export default {
  testRunner: "tap",
  buildCommand: "node scripts/mutation-transpile.mjs",
  tap: {
    testFiles,
    nodeArgs: ["--experimental-wasm-relaxed-simd", "--import", "./scripts/mutation-loader.mjs", "-r", "{{hookFile}}", "{{testFile}}"],
    forceBail: true,
  },
  mutate: scope,
  coverageAnalysis: "perTest",
  concurrency: 2,
  timeoutMS: 10_000,
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
