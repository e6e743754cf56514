import { UsageError } from "./args.js";

// Each command's module is imported only when it runs: `kshot --help` loads none of
// them, and `kshot describe` not the training, search or queue code.
const commands: Record<string, { load: () => Promise<(argv: string[]) => Promise<void>>; summary: string }> = {
  run: { load: async () => (await import("./main_job.js")).mainJobCommand, summary: "the main job: train a K-shot supernet on the embedded data, search it, retrain the pick beside random cells, report" },
  report: { load: async () => (await import("./report.js")).reportCommand, summary: "report.html with SVG plots for a run directory of 'kshot run'" },
  train: { load: async () => (await import("./train.js")).trainCommand, summary: "train one NAS-Bench-201 architecture stand-alone" },
  describe: { load: async () => (await import("./describe.js")).describeCommand, summary: "params, MACs and NAS-Bench-201 FLOPs of an architecture" },
  supernet: { load: async () => (await import("./supernet.js")).supernetCommand, summary: "train a K-shot supernet (train) or evaluate its paths (eval)" },
  search: { load: async () => (await import("./search.js")).searchCommand, summary: "NSGA-II over a trained supernet (--supernet) or a NAS-Bench-201 table (--oracle)" },
  study: { load: async () => (await import("./study.js")).studyCommand, summary: "rank study: stand-alone ground truth (truth); supernets per mode and K ranked against it (rank)" },
  worker: { load: async () => (await import("./worker.js")).workerCommand, summary: "evaluate a coordinator's search jobs from a Redis queue (--executor bullmq), until interrupted" },
  rank: { load: async () => (await import("./rank.js")).rankCommand, summary: "Kendall tau, Spearman and Pearson between two score tables" },
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
    await (await command.load())(rest);
    return 0;
  } catch (e) {
    process.stderr.write(`${(e as Error).message.startsWith("kshot") ? "" : "kshot: "}${(e as Error).message}\n`);
    if (process.env.KSHOT_DEBUG) console.error(e);
    return e instanceof UsageError ? 2 : 1;
  }
}
