// Reads Stryker's JSON report and writes the mutation score per folder to
// reports/mutation/summary.json, with a table on stdout. `--survivors [PATH]`
// lists, instead, each surviving or uncovered mutant of the files whose path
// contains PATH: line and column, mutator, the mutated expression and its
// replacement.
//   node scripts/mutation-summary.mjs [--report FILE] [--survivors [PATH]]
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: { report: { type: "string", default: "reports/mutation/mutation.json" }, survivors: { type: "string" } },
  allowPositionals: false,
  strict: false,
});
const reportPath = String(values.report);
let report;
try {
  report = JSON.parse(readFileSync(reportPath, "utf8"));
} catch (e) {
  console.error(`mutation-summary: cannot read ${reportPath} (${e.message}); run 'npm run test:mutation' first`);
  process.exit(2);
}

// Stryker's statuses: Killed and Timeout are detected; Survived and NoCoverage are not;
// CompileError, RuntimeError and Ignored count in neither (mutation-testing-metrics' rule)
const DETECTED = new Set(["Killed", "Timeout"]);
const UNDETECTED = new Set(["Survived", "NoCoverage"]);
const flat = (t) => t.replace(/\s+/g, " ").trim();

if (values.survivors !== undefined) {
  const only = values.survivors === true ? "" : String(values.survivors);
  for (const [file, f] of Object.entries(report.files)) {
    if (!file.includes(only)) continue;
    const lines = f.source.split("\n");
    const left = f.mutants.filter((m) => UNDETECTED.has(m.status));
    if (left.length === 0) continue;
    console.log(`== ${file}: ${left.length} undetected of ${f.mutants.length}`);
    for (const m of left) {
      const { start, end } = m.location;
      // the mutated expression itself, not its whole line: `a >= 2 && b` made `true` may be `a >= 2` alone
      const span = start.line === end.line
        ? (lines[start.line - 1] ?? "").slice(start.column - 1, end.column - 1)
        : `${(lines[start.line - 1] ?? "").slice(start.column - 1)} ...`;
      console.log(`${m.status === "NoCoverage" ? "NC" : "S "} ${start.line}:${start.column} ${m.mutatorName}: ${flat(span).slice(0, 100)} => ${flat(String(m.replacement ?? "")).slice(0, 80)}`);
    }
  }
  process.exit(0);
}

/** Counts per folder: each file counts in its own folder and in every folder above it. */
const KEY = { Killed: "killed", Timeout: "timeout", Survived: "survived", NoCoverage: "noCoverage" };
const folders = new Map();
const add = (folder, status) => {
  const c = folders.get(folder) ?? { killed: 0, timeout: 0, survived: 0, noCoverage: 0, other: 0, detected: 0, undetected: 0 };
  c[KEY[status] ?? "other"]++;
  if (DETECTED.has(status)) c.detected++;
  else if (UNDETECTED.has(status)) c.undetected++;
  folders.set(folder, c);
};
for (const [file, f] of Object.entries(report.files)) {
  const parts = dirname(file).split("/");
  for (const m of f.mutants) for (let d = 1; d <= parts.length; d++) add(parts.slice(0, d).join("/"), m.status);
}
const score = ({ detected, undetected }) => (detected + undetected === 0 ? null : Math.round((10000 * detected) / (detected + undetected)) / 100);
const summary = Object.fromEntries([...folders.entries()].sort(([a], [b]) => a.localeCompare(b))
  .map(([folder, { detected, undetected, ...c }]) => [folder, { score: score({ detected, undetected }), ...c }]));
const out = join(dirname(reportPath), "summary.json");
writeFileSync(out, `${JSON.stringify({ report: reportPath, detected: [...DETECTED], undetected: [...UNDETECTED], folders: summary }, null, 2)}\n`);
console.log("| folder | score (%) | killed | timeout | survived | no coverage |\n|---|---|---|---|---|---|");
for (const [folder, c] of Object.entries(summary)) {
  console.log(`| ${folder} | ${c.score === null ? "n/a" : c.score.toFixed(2)} | ${c.killed} | ${c.timeout} | ${c.survived} | ${c.noCoverage} |`);
}
console.log(`written: ${out}`);
