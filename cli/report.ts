import { existsSync } from "node:fs";
import { join } from "node:path";
import { writeRunReport } from "../report/run_report.js";
import { writeStudyReport } from "../report/study_report.js";
import { UsageError, helpText, parseFlags, type FlagSpecs } from "./args.js";

export const reportFlags: FlagSpecs = {};

/** `kshot report DIR`: report.html (and its figures as .svg) for a run directory of `kshot run` or a study of `kshot study rank`. */
export async function reportCommand(argv: string[]): Promise<void> {
  const cmd = "kshot report";
  const dirs = argv.filter((a) => !a.startsWith("-"));
  const f = parseFlags(cmd, argv.filter((a) => a.startsWith("-")), reportFlags);
  if (f.help) {
    process.stdout.write(helpText(`usage: ${cmd} DIR`, "Renders report.html, with SVG plots of the losses, the front, the lambda codes and the\nstand-alone retraining, for a run directory of 'kshot run' (which writes one itself);\nfor a directory of 'kshot study rank', the study's taus, scatter, high-group taus and codes.", reportFlags));
    return;
  }
  if (dirs.length !== 1) throw new UsageError(`${cmd}: give exactly one run directory, received ${dirs.length}`);
  const dir = dirs[0]!;
  process.stdout.write(`${existsSync(join(dir, "study.json")) ? writeStudyReport(dir) : writeRunReport(dir)}\n`);
}
