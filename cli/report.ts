import { writeRunReport } from "../report/run_report.js";
import { UsageError, helpText, parseFlags, type FlagSpecs } from "./args.js";

export const reportFlags: FlagSpecs = {};

/** `kshot report DIR`: report.html (and its figures as .svg) for a run directory of `kshot run`. */
export async function reportCommand(argv: string[]): Promise<void> {
  const cmd = "kshot report";
  const dirs = argv.filter((a) => !a.startsWith("-"));
  const f = parseFlags(cmd, argv.filter((a) => a.startsWith("-")), reportFlags);
  if (f.help) {
    process.stdout.write(helpText(`usage: ${cmd} DIR`, "Renders report.html, with SVG plots of the losses, the front, the lambda codes and the\nstand-alone retraining, for a run directory of 'kshot run' (which writes one itself).", reportFlags));
    return;
  }
  if (dirs.length !== 1) throw new UsageError(`${cmd}: give exactly one run directory, received ${dirs.length}`);
  process.stdout.write(`${writeRunReport(dirs[0]!)}\n`);
}
