import { loadOracle, oracleRandomSearch, oracleSearch } from "../nas/search/oracle.js";
import { UsageError, helpText, num, optionalNum, parseFlags, type FlagSpecs } from "./args.js";

export const searchFlags: FlagSpecs = {
  oracle: { type: "string", help: "NAS-Bench-201 table (CSV with an arch column and accuracy columns) to look accuracies up in" },
  column: { type: "string", help: "accuracy column of the table", default: "cifar10" },
  evaluations: { type: "string", help: "distinct architectures to evaluate", default: "1000" },
  population: { type: "string", help: "NSGA-II population", default: "50" },
  "max-mflops": { type: "string", help: "hard bound on NAS-Bench-201 MFLOPs (CIFAR-10 network)" },
  random: { type: "boolean", help: "random search with the same budget instead of NSGA-II" },
  seed: { type: "string", help: "seed", default: "0" },
  json: { type: "boolean", help: "print {\"best_arch\", \"best_acc\", \"evaluations\"} as the last line" },
};

/** `kshot search --oracle`: NSGA-II (or random search) over NAS-Bench-201 with accuracies from a table. */
export async function searchCommand(argv: string[]): Promise<void> {
  const cmd = "kshot search";
  const f = parseFlags(cmd, argv, searchFlags);
  if (f.help) {
    process.stdout.write(helpText(`usage: ${cmd} --oracle FILE [options]`,
      "Searches NAS-Bench-201 with NSGA-II (maximise accuracy, minimise FLOPs), looking accuracies up in a table.\nSearching a trained supernet arrives with the parallel evaluator.", searchFlags));
    return;
  }
  if (f.oracle === undefined) throw new UsageError(`${cmd}: give --oracle FILE (searching a supernet is not available yet)`);
  const options = {
    evaluations: num(cmd, "evaluations", f.evaluations, { integer: true, min: 1 }),
    populationSize: num(cmd, "population", f.population, { integer: true, min: 2 }),
    seed: num(cmd, "seed", f.seed, { integer: true, min: 0 }),
    maxMflops: optionalNum(cmd, "max-mflops", f["max-mflops"], { min: 0 }),
  };
  const oracle = loadOracle(String(f.oracle), String(f.column));
  const r = f.random ? oracleRandomSearch(oracle, options) : await oracleSearch(oracle, options);
  process.stdout.write(`${f.random ? "random search" : "NSGA-II"}: best ${r.bestAcc} (${f.column}) after ${r.evaluations} evaluations: ${r.bestArch}\n`);
  for (const p of r.front) process.stdout.write(`  front ${p.acc.toFixed(2)}  ${p.mflops.toFixed(2)} MFLOPs  ${p.arch}\n`);
  if (f.json) process.stdout.write(`${JSON.stringify({ best_arch: r.bestArch, best_acc: r.bestAcc, evaluations: r.evaluations })}\n`);
}
