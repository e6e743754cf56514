import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ensureWritableDir, writeFileAtomic } from "./files.js";

/** The file that says which command wrote a run directory, with which settings. */
export const MANIFEST = "kshot-run.json";

export interface RunManifest {
  /** The command that owns the directory, e.g. "kshot run". */
  command: string;
  /** Everything that decides its results (seed included); a rerun with the same settings resumes. */
  settings: Record<string, unknown>;
}

/** JSON with every object's keys sorted, at every depth, undefined members dropped: equal values, equal strings. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(",")}]`;
  if (v !== null && typeof v === "object") {
    return `{${Object.keys(v).sort().filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`).join(",")}}`;
  }
  return JSON.stringify(v);
}

/** The fields in which two settings objects differ, by dotted path: "epochs 36 -> 28". */
export function differingFields(before: unknown, after: unknown, path = ""): string[] {
  const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((k) => differingFields(before[k], after[k], path === "" ? k : `${path}.${k}`));
  }
  if (canonicalJson(before) === canonicalJson(after)) return [];
  const show = (v: unknown) => (v === undefined ? "(none)" : JSON.stringify(v));
  return [`${path === "" ? "value" : path} ${show(before)} -> ${show(after)}`];
}

/** Reads `dir`'s manifest; null where there is none. */
export function readManifest(dir: string): RunManifest | null {
  const path = join(dir, MANIFEST);
  if (!existsSync(path)) return null;
  try {
    const m = JSON.parse(readFileSync(path, "utf8")) as RunManifest;
    if (typeof m.command !== "string" || typeof m.settings !== "object" || m.settings === null) throw new Error("no command or settings");
    return m;
  } catch (e) {
    throw new Error(`${path} is damaged (${(e as Error).message}); move the directory away or give --force`);
  }
}

/**
 * Claims `dir` for one command's results before any work: a new or empty
 * directory gets the manifest; one written by the same command with the same
 * settings is resumed ("resume"); one written by another command, with other
 * settings, or by something else is refused, naming what differs, unless
 * `force` (the manifest is then replaced). `flag` names the directory's flag
 * in messages; `forceable: false` where the command has no --force.
 */
export function claimRunDir(dir: string, manifest: RunManifest, o: { force: boolean; flag: string; forceable?: boolean }): "new" | "resume" {
  ensureWritableDir(dir);
  const old = readManifest(dir);
  const alternatives = o.forceable === false ? `give another ${o.flag}` : `give another ${o.flag}, or --force to write over them`;
  if (old !== null && !o.force) {
    if (old.command !== manifest.command) throw new Error(`${manifest.command}: ${o.flag} ${dir} holds the results of '${old.command}'; ${alternatives}`);
    const diff = differingFields(old.settings, manifest.settings);
    if (diff.length > 0) throw new Error(`${manifest.command}: ${o.flag} ${dir} holds '${old.command}' results with other settings (${diff.join("; ")}); rerun with the same settings to resume, or ${alternatives}`);
    return "resume";
  }
  if (old === null && !o.force) {
    const entries = readdirSync(dir).filter((e) => !e.startsWith(".kshot-write-test-"));
    if (entries.length > 0) throw new Error(`${manifest.command}: ${o.flag} ${dir} is not empty and was not written by kshot (${entries.slice(0, 3).join(", ")}${entries.length > 3 ? ", ..." : ""}); ${alternatives}`);
  }
  writeFileAtomic(join(dir, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
  return "new";
}
