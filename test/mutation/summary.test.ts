import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { tempDir } from "../helpers/temp_dir.js";

const mutant = (status: string, line = 1) => ({ id: `${status}${line}`, mutatorName: "EqualityOperator", replacement: "a <= b", status, location: { start: { line, column: 1 }, end: { line, column: 6 } } });

/** A Stryker report whose per-folder scores are worked out by hand below. */
const report = {
  schemaVersion: "2",
  files: {
    "nas/search/a.ts": { language: "typescript", source: "a < b && c\nc", mutants: [mutant("Killed"), mutant("Killed"), mutant("Survived", 1), mutant("Timeout")] },
    "nas/b.ts": { language: "typescript", source: "x\ny", mutants: [mutant("NoCoverage", 2), mutant("CompileError")] },
    "report/c.ts": { language: "typescript", source: "z", mutants: [mutant("Killed")] },
  },
};

function run(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ["scripts/mutation-summary.mjs", ...args], { encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test("mutation summary: scores per folder, each file counted in every folder above it", () => {
  const dir = tempDir("kshot-mutation-");
  writeFileSync(join(dir, "mutation.json"), JSON.stringify(report));
  const r = run(["--report", join(dir, "mutation.json")]);
  assert.equal(r.status, 0, r.stderr);
  const { folders } = JSON.parse(readFileSync(join(dir, "summary.json"), "utf8")) as { folders: Record<string, { score: number | null; killed: number; survived: number; noCoverage: number; timeout: number; other: number }> };
  // nas/search: killed 2 + timeout 1 detected of 4 -> 75%; nas: 3 of 5 (the compile error counts in neither) -> 60%
  assert.deepEqual(Object.keys(folders), ["nas", "nas/search", "report"]);
  assert.equal(folders["nas/search"]!.score, 75);
  assert.equal(folders["nas"]!.score, 60);
  assert.deepEqual({ ...folders["nas"] }, { score: 60, killed: 2, timeout: 1, survived: 1, noCoverage: 1, other: 1 });
  assert.equal(folders["report"]!.score, 100);
  assert.match(r.stdout, /\| nas\/search \| 75\.00 \| 2 \| 1 \| 1 \| 0 \|/);
});

test("mutation summary: --survivors lists the undetected mutants with their code, only of the files asked for", () => {
  const dir = tempDir("kshot-mutation-");
  writeFileSync(join(dir, "mutation.json"), JSON.stringify(report));
  const all = run(["--report", join(dir, "mutation.json"), "--survivors"]);
  assert.equal(all.status, 0, all.stderr);
  assert.deepEqual(all.stdout.trim().split("\n"), [
    "== nas/search/a.ts: 1 undetected of 4",
    "S  1:1 EqualityOperator: a < b => a <= b", // the mutated expression, not its whole line
    "== nas/b.ts: 1 undetected of 2",
    "NC 2:1 EqualityOperator: y => a <= b",
  ]);
  const some = run(["--report", join(dir, "mutation.json"), "--survivors", "nas/b"]);
  assert.deepEqual(some.stdout.trim().split("\n"), ["== nas/b.ts: 1 undetected of 2", "NC 2:1 EqualityOperator: y => a <= b"]);
});

test("mutation summary: a missing report is one line and exit code 2", () => {
  const r = run(["--report", join(tmpdir(), "kshot-no-such-report.json")]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /^mutation-summary: cannot read .*kshot-no-such-report\.json .*run 'npm run test:mutation' first\n$/);
});
