import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { ensureWritableDir, writeFileAtomic } from "../../data/files.js";
import { KSHOT } from "../helpers/cli.js";

describe("output directories", () => {
  it("creates missing parents and leaves no probe file behind", () => {
    const base = mkdtempSync(join(tmpdir(), "kshot-files-"));
    ensureWritableDir(join(base, "a", "b", "c"));
    assert.deepEqual(readdirSync(join(base, "a", "b", "c")), []);
    ensureWritableDir(join(base, "a")); // existing: fine
  });

  it("names the path when a parent is a file", () => {
    const base = mkdtempSync(join(tmpdir(), "kshot-files-"));
    writeFileSync(join(base, "f"), "x");
    assert.throws(() => ensureWritableDir(join(base, "f", "sub")), /is not a directory/);
  });

  it("fails at once under /proc, where a recursive mkdir never returns", { skip: process.platform !== "linux" && "Linux only" }, () => {
    const t0 = performance.now();
    assert.throws(() => ensureWritableDir("/proc/kshot-newdir/sub"), /\/proc\/kshot-newdir\/sub: cannot create the output directory/);
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
    const base = mkdtempSync(join(tmpdir(), "kshot-files-"));
    writeFileAtomic(join(base, "a.json"), "old\n");
    writeFileAtomic(join(base, "a.json"), "new\n");
    assert.equal(readFileSync(join(base, "a.json"), "utf8"), "new\n");
    mkdirSync(join(base, "dir"));
    assert.throws(() => writeFileAtomic(join(base, "dir"), "x"), /EISDIR|ENOTEMPTY|EEXIST|EPERM/); // rename onto a directory fails
    assert.deepEqual(readdirSync(base).sort(), ["a.json", "dir"]);
  });
});
