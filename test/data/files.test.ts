import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { describeFsError, ensureWritableDir, ensureWritableFile, readJournal, writeFileAtomic } from "../../data/files.js";
import { KSHOT } from "../helpers/cli.js";
import { tempDir } from "../helpers/temp_dir.js";

describe("output directories", () => {
  it("creates missing parents and leaves no probe file behind", () => {
    const base = tempDir("kshot-files-");
    ensureWritableDir(join(base, "a", "b", "c"));
    assert.deepEqual(readdirSync(join(base, "a", "b", "c")), []);
    ensureWritableDir(join(base, "a")); // existing: fine
  });

  it("names the path when a parent is a file", () => {
    const base = tempDir("kshot-files-");
    writeFileSync(join(base, "f"), "x");
    assert.throws(() => ensureWritableDir(join(base, "f", "sub")), /is not a directory/);
  });

  it("fails at once under /proc, where a recursive mkdir never returns", { skip: process.platform !== "linux" && "Linux only" }, () => {
    const t0 = performance.now();
    assert.throws(() => ensureWritableDir("/proc/kshot-newdir/sub"), /^Error: \/proc\/kshot-newdir\/sub: cannot create the output directory \(ENOENT at \/proc\/kshot-newdir\)$/);
    assert.ok(performance.now() - t0 < 2000);
  });

  it("kshot train refuses an unusable --out before training", () => {
    const r = spawnSync(process.execPath, [...KSHOT, "train", "--epochs", "1", "--train-limit", "64", "--out", "/proc/kshot-newdir/x.safetensors"],
      { encoding: "utf8", timeout: 60_000 });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /cannot create the output directory/);
    assert.doesNotMatch(r.stderr, /epoch 1/);
  });
});

describe("atomic writes", () => {
  it("replaces a file whole, and a failed write leaves neither a temporary nor a changed target", () => {
    const base = tempDir("kshot-files-");
    writeFileAtomic(join(base, "a.json"), "old\n");
    writeFileAtomic(join(base, "a.json"), "new\n");
    assert.equal(readFileSync(join(base, "a.json"), "utf8"), "new\n");
    mkdirSync(join(base, "dir"));
    // rename onto a directory fails: the message names the target and what is wrong, not the temporary file or a bare code
    assert.throws(() => writeFileAtomic(join(base, "dir"), "x"), (e: Error) =>
      e.message === `cannot write ${join(base, "dir")}: ${join(base, "dir")} is a directory` && !/\.tmp-|EISDIR/.test(e.message));
    assert.deepEqual(readdirSync(base).sort(), ["a.json", "dir"]);
    assert.throws(() => writeFileAtomic(join(base, "missing", "b.json"), "x"), new RegExp(`^Error: cannot write .*b\\.json: a directory on the way to .*b\\.json does not exist$`));
  });

  it("reads a journal of JSON lines, skipping a line cut by a crash, and none where there is no file", () => {
    const base = tempDir("kshot-files-");
    writeFileSync(join(base, "j.jsonl"), '{"a":1}\n\n  \n{"a":2}\n{"a":');
    assert.deepEqual(readJournal(join(base, "j.jsonl")), [{ a: 1 }, { a: 2 }]);
    assert.deepEqual(readJournal(join(base, "none.jsonl")), []);
  });

  it("refuses a directory that exists but takes no file, naming the error (sysfs refuses even root)", { skip: !existsSync("/sys/kernel") && "no /sys here" }, () => {
    assert.throws(() => ensureWritableDir("/sys/kernel"), { message: /^\/sys\/kernel: the output directory is not writable \((EACCES|EROFS|EPERM)\)$/ });
  });

  it("refuses an output file path that is a directory or ends with '/', before any work", () => {
    const base = tempDir("kshot-files-");
    assert.throws(() => ensureWritableFile(`${base}/`, "--out"), /^Error: --out .*\/: expected a file path, received a directory \(ends with '\/'\)$/);
    assert.throws(() => ensureWritableFile(base, "--out"), /^Error: --out .*: expected a file path, received an existing directory$/);
    ensureWritableFile(join(base, "new", "model.safetensors"), "--out"); // creates the folder
    assert.ok(statSync(join(base, "new")).isDirectory());
  });

  it("says what is wrong with a path for each file-system error a user meets, and passes others through", () => {
    const err = (code: string) => Object.assign(new Error(`${code}: raw`), { code });
    assert.equal(describeFsError(err("EISDIR"), "/o"), "/o is a directory");
    assert.equal(describeFsError(err("ENOENT"), "/o"), "a directory on the way to /o does not exist");
    assert.equal(describeFsError(err("ENOTDIR"), "/o"), "a part of /o is a file, not a directory");
    assert.equal(describeFsError(err("EACCES"), "/o"), "no permission to write /o");
    assert.equal(describeFsError(err("EPERM"), "/o"), "no permission to write /o");
    assert.equal(describeFsError(err("ENOSPC"), "/o"), "the disk is full");
    assert.equal(describeFsError(err("EROFS"), "/o"), "/o is on a read-only file system");
    assert.equal(describeFsError(err("EIO"), "/o"), "EIO: raw");
    const base = tempDir("kshot-files-");
    writeFileSync(join(base, "f"), "x");
    assert.throws(() => writeFileAtomic(join(base, "f", "b.json"), "x"), /: a part of .*b\.json is a file, not a directory$/);
  });

  it("skips blank and whitespace-only journal lines", () => {
    const base = tempDir("kshot-files-");
    writeFileSync(join(base, "j.jsonl"), '{"a":1}\n   \n\t\n{"a":2}\n');
    assert.deepEqual(readJournal(join(base, "j.jsonl")), [{ a: 1 }, { a: 2 }]);
  });

  it("creates exactly the missing directories, nothing in the working directory", () => {
    const base = tempDir("kshot-files-"), cwd = tempDir("kshot-cwd-");
    const saved = process.cwd();
    try {
      process.chdir(cwd);
      ensureWritableDir(join(base, "x", "y"));
    } finally {
      process.chdir(saved);
    }
    assert.deepEqual(readdirSync(cwd), []);
    assert.deepEqual(readdirSync(base), ["x"]);
    assert.deepEqual(readdirSync(join(base, "x")), ["y"]);
  });
});

