import { numericColumn, readCsv } from "../data/csv.js";
import { highGroupTau, kendallTauB, pearson, spearman } from "../nas/search/ranking.js";
import { UsageError, helpText, optionalNum, parseFlags, type FlagSpecs } from "./args.js";

export const rankFlags: FlagSpecs = {
  truth: { type: "string", help: "CSV of true scores with an arch column" },
  pred: { type: "string", help: "CSV of predicted scores with an arch column" },
  "truth-column": { type: "string", help: "value column of --truth", default: "cifar10" },
  "pred-column": { type: "string", help: "value column of --pred", default: "val_acc" },
  "top-k": { type: "string", help: "also the paper's high-performance-group tau with the top K true architectures" },
  json: { type: "boolean", help: "print {\"n\", \"kendall_tau\", \"spearman\", \"pearson\"} as JSON" },
};

/** `kshot rank`: rank correlations between two tables over the architectures they share. */
export async function rankCommand(argv: string[]): Promise<void> {
  const cmd = "kshot rank";
  const f = parseFlags(cmd, argv, rankFlags);
  if (f.help) { process.stdout.write(helpText(`usage: ${cmd} --truth FILE --pred FILE [options]`, "Kendall tau-b, Spearman rho and Pearson between predicted and true scores.", rankFlags)); return; }
  if (f.truth === undefined || f.pred === undefined) throw new UsageError(`${cmd}: give --truth FILE and --pred FILE`);
  const truth = numericColumn(readCsv(String(f.truth)), "arch", String(f["truth-column"]));
  const pred = numericColumn(readCsv(String(f.pred)), "arch", String(f["pred-column"]));
  const shared = [...pred.keys()].filter((a) => truth.has(a));
  if (shared.length < 2) throw new Error(`${cmd}: the files share ${shared.length} architectures; at least 2 are needed`);
  const t = shared.map((a) => truth.get(a)!), p = shared.map((a) => pred.get(a)!);
  for (const [values, file, column] of [[t, f.truth, f["truth-column"]], [p, f.pred, f["pred-column"]]] as const) {
    if (values.every((x) => x === values[0])) {
      throw new Error(`${cmd}: every one of the ${shared.length} shared architectures has ${column} = ${values[0]} in ${file}: with no order among them the rank correlations are undefined`);
    }
  }
  const k = optionalNum(cmd, "top-k", f["top-k"], { integer: true, min: 1 });
  if (k !== undefined && k >= shared.length) throw new UsageError(`${cmd}: --top-k ${k} leaves no architecture outside the top group of the ${shared.length} shared ones; give at most ${shared.length - 1}`);
  const out: Record<string, number> = { n: shared.length, kendallTauB: kendallTauB(t, p), spearman: spearman(t, p), pearson: pearson(t, p) };
  if (k !== undefined) out.highGroupTau = highGroupTau(t, p, k);
  if (f.json) process.stdout.write(`${JSON.stringify(out)}\n`);
  else for (const [name, v] of Object.entries(out)) process.stdout.write(`${name.padEnd(16)} ${name === "n" ? v : v.toFixed(4)}\n`);
}
