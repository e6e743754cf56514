import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";

/**
 * Creates `dir` (and its missing parents) one level at a time, then proves it
 * writable by creating and removing a probe file, so a run learns of a bad
 * output path before it spends any time. Node's recursive mkdir never
 * returns on some paths (e.g. under /proc); this walk is bounded by the
 * path's depth. Throws one line naming the path.
 */
export function ensureWritableDir(dir: string): void {
  const missing: string[] = [];
  let p = resolve(dir);
  for (;;) {
    let st;
    try { st = statSync(p); } catch { st = undefined; }
    if (st !== undefined) {
      if (!st.isDirectory()) throw new Error(`${dir}: cannot create the output directory: ${p} is not a directory`);
      break;
    }
    missing.push(p);
    const up = dirname(p);
    if (up === p) break;
    p = up;
  }
  for (const m of missing.reverse()) {
    try {
      mkdirSync(m);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw new Error(`${dir}: cannot create the output directory (${(e as NodeJS.ErrnoException).code ?? (e as Error).message} at ${m})`);
    }
  }
  const probe = resolve(dir, `.kshot-write-test-${process.pid}`);
  try {
    closeSync(openSync(probe, "w"));
    unlinkSync(probe);
  } catch (e) {
    throw new Error(`${dir}: the output directory is not writable (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

/**
 * Replaces `path` with `text` through a temporary file and a rename, so a
 * reader (or a crash) sees the old file or the new one, never half of one;
 * a failed write leaves no temporary behind.
 */
export function writeFileAtomic(path: string, text: string | Uint8Array): void {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, path);
  } catch (e) {
    // the temporary may not exist, or not be reachable either (a file on the way: ENOTDIR)
    try { rmSync(tmp); } catch { /* nothing to remove */ }
    throw new Error(`cannot write ${path}: ${describeFsError(e, path)}`);
  }
}

/** A file-system error as a user reads it: what is wrong with the path, not a bare errno code or a temporary file's name. */
export function describeFsError(e: unknown, path: string): string {
  switch ((e as NodeJS.ErrnoException).code) {
    case "EISDIR": return `${path} is a directory`;
    case "ENOENT": return `a directory on the way to ${path} does not exist`;
    case "ENOTDIR": return `a part of ${path} is a file, not a directory`;
    case "EACCES": case "EPERM": return `no permission to write ${path}`;
    case "ENOSPC": return "the disk is full";
    case "EROFS": return `${path} is on a read-only file system`;
    default: return (e as Error).message;
  }
}

/**
 * Checks, before any work, that `path` can become an output file: not a
 * directory, no trailing slash, its folder created and writable. `what`
 * names it in the error (a flag, as the user typed it).
 */
export function ensureWritableFile(path: string, what: string): void {
  if (/[\\/]$/.test(path)) throw new Error(`${what} ${path}: expected a file path, received a directory (ends with '/')`);
  let st;
  try { st = statSync(path); } catch { st = undefined; }
  if (st?.isDirectory()) throw new Error(`${what} ${path}: expected a file path, received an existing directory`);
  ensureWritableDir(dirname(resolve(path)));
}

/**
 * The entries of a journal of JSON lines (one finished piece of work per
 * line, appended as it finishes); none where the file does not exist. A
 * line cut by a crash is skipped: that piece of work is done again.
 */
export function readJournal<T>(path: string): T[] {
  if (!existsSync(path)) return [];
  const entries: T[] = [];
  // a blank line, or one cut by a crash, is not JSON
  for (const line of readFileSync(path, "utf8").split("\n")) {
    try { entries.push(JSON.parse(line) as T); } catch { /* cut by a crash */ }
  }
  return entries;
}
