import { UsageError } from "./args.js";
import { describeCommand } from "./describe.js";
import { mainJobCommand } from "./main_job.js";
import { rankCommand } from "./rank.js";
import { reportCommand } from "./report.js";
import { searchCommand } from "./search.js";
import { studyCommand } from "./study.js";
import { supernetCommand } from "./supernet.js";
import { trainCommand } from "./train.js";
import { workerCommand } from "./worker.js";

const commands: Record<string, { run: (argv: string[]) => Promise<void>; summary: string }> = {
  run: { run: mainJobCommand, summary: "the main job: train a K-shot supernet on the embedded data, search it, retrain the pick beside random cells, report" },
  report: { run: reportCommand, summary: "report.html with SVG plots for a run directory of 'kshot run'" },
  train: { run: trainCommand, summary: "train one NAS-Bench-201 architecture stand-alone" },
  describe: { run: describeCommand, summary: "params, MACs and NAS-Bench-201 FLOPs of an architecture" },
  supernet: { run: supernetCommand, summary: "train a K-shot supernet (train) or evaluate its paths (eval)" },
  search: { run: searchCommand, summary: "NSGA-II over a trained supernet (--supernet) or a NAS-Bench-201 table (--oracle)" },
  study: { run: studyCommand, summary: "rank study: stand-alone ground truth (truth); supernets per mode and K ranked against it (rank)" },
  worker: { run: workerCommand, summary: "evaluate a coordinator's search jobs from a Redis queue (--executor bullmq), until interrupted" },
  rank: { run: rankCommand, summary: "Kendall tau, Spearman and Pearson between two score tables" },
};

const help = `usage: kshot <command> [options]

K-shot NAS in TypeScript.

Commands:
${Object.entries(commands).map(([n, c]) => `  ${n.padEnd(10)} ${c.summary}`).join("\n")}

Run 'kshot <command> --help' for a command's options.
`;

/** Runs the CLI; every failure is one line on stderr and a non-zero exit code (2 for usage). */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(help);
    return name === undefined ? 2 : 0;
  }
  const command = commands[name];
  try {
    if (command === undefined) throw new UsageError(`kshot: unknown command '${name}' (commands: ${Object.keys(commands).join(", ")})`);
    await command.run(rest);
    return 0;
  } catch (e) {
    process.stderr.write(`${(e as Error).message.startsWith("kshot") ? "" : "kshot: "}${(e as Error).message}\n`);
    if (process.env.KSHOT_DEBUG) console.error(e);
    return e instanceof UsageError ? 2 : 1;
  }
}
