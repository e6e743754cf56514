import { existsSync } from "node:fs";
import { join } from "node:path";
import { writeRunReport } from "../report/run_report.js";
import { writeStudyReport } from "../report/study_report.js";
import { UsageError, helpText, parseFlags, type FlagSpecs } from "./args.js";
import { MANIFEST, readManifest } from "../data/run_dir.js";

export const reportFlags: FlagSpecs = {
  json: { type: "boolean", help: "print {\"report\": PATH} instead of the path" },
};

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
  const report = reportKind(cmd, dir) === "study" ? writeStudyReport(dir) : writeRunReport(dir);
  process.stdout.write(f.json ? `${JSON.stringify({ report })}\n` : `${report}\n`);
}

/** Which report a directory takes, from its manifest (or, for directories of older kshot versions, its files). */
function reportKind(cmd: string, dir: string): "run" | "study" {
  if (!existsSync(dir)) throw new Error(`${cmd}: ${dir} does not exist`);
  const m = readManifest(dir);
  if (m?.command === "kshot run") return "run";
  if (m?.command === "kshot study rank") return "study";
  if (m !== null) throw new Error(`${cmd}: ${dir} holds the results of '${m.command}', which has no report; reports are made for 'kshot run' and 'kshot study rank' directories`);
  if (existsSync(join(dir, "study.json"))) return "study";
  if (existsSync(join(dir, "summary.json")) && existsSync(join(dir, "evaluated.json"))) return "run";
  throw new Error(`${cmd}: ${dir} was not written by 'kshot run' or 'kshot study rank' (it has no ${MANIFEST}, summary.json or study.json)`);
}
