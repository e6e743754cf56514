import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { MANIFEST, canonicalJson, claimRunDir, differingFields } from "../../data/run_dir.js";

const fresh = () => mkdtempSync(join(tmpdir(), "kshot-rundir-"));
const run = (settings: Record<string, unknown>) => ({ command: "kshot run", settings });

describe("run directories", () => {
  it("names the fields that differ, nested ones by dotted path, and nothing for equal settings in another key order", () => {
    assert.deepEqual(differingFields({ a: 1, b: { c: 2, d: [1, 2] } }, { b: { d: [1, 2], c: 2 }, a: 1 }), []);
    assert.deepEqual(differingFields({ epochs: 36, seed: 0, b: { c: 2 } }, { epochs: 28, seed: 0, b: { c: 3 }, extra: true }),
      ["b.c 2 -> 3", "epochs 36 -> 28", "extra (none) -> true"]);
    assert.deepEqual(differingFields({ runs: [{ K: 1 }] }, { runs: [{ K: 2 }] }), ['runs [{"K":1}] -> [{"K":2}]']);
    assert.equal(canonicalJson({ b: 1, a: { d: undefined, c: [2, { f: 1, e: 0 }] } }), '{"a":{"c":[2,{"e":0,"f":1}]},"b":1}');
  });

  it("claims a new directory, resumes the same command and settings, and refuses the rest unless forced", () => {
    const dir = join(fresh(), "out");
    assert.equal(claimRunDir(dir, run({ epochs: 36, seed: 0 }), { force: false, flag: "--out" }), "new");
    assert.deepEqual(JSON.parse(readFileSync(join(dir, MANIFEST), "utf8")), run({ epochs: 36, seed: 0 }));
    writeFileSync(join(dir, "summary.json"), "{}\n");
    assert.equal(claimRunDir(dir, run({ seed: 0, epochs: 36 }), { force: false, flag: "--out" }), "resume");
    assert.throws(() => claimRunDir(dir, run({ epochs: 28, seed: 0 }), { force: false, flag: "--out" }),
      /^Error: kshot run: --out .*out holds 'kshot run' results with other settings \(epochs 36 -> 28\); rerun with the same settings to resume, or give another --out, or --force to write over them$/);
    assert.throws(() => claimRunDir(dir, { command: "kshot search --supernet", settings: {} }, { force: false, flag: "--out" }),
      /^Error: kshot search --supernet: --out .*out holds the results of 'kshot run'; give another --out, or --force/);
    assert.equal(readFileSync(join(dir, "summary.json"), "utf8"), "{}\n", "a refused claim touches nothing");
    assert.equal(claimRunDir(dir, { command: "kshot search --supernet", settings: { seed: 1 } }, { force: true, flag: "--out" }), "new");
    assert.equal(JSON.parse(readFileSync(join(dir, MANIFEST), "utf8")).command, "kshot search --supernet");
  });

  it("refuses a non-empty directory that kshot did not write, and says so without --force where there is none", () => {
    const dir = fresh();
    mkdirSync(join(dir, "photos"));
    assert.throws(() => claimRunDir(dir, run({}), { force: false, flag: "--out" }), /is not empty and was not written by kshot \(photos\)/);
    assert.throws(() => claimRunDir(dir, { command: "kshot study rank", settings: {} }, { force: false, flag: "--out", forceable: false }),
      (e: Error) => /give another --out$/.test(e.message) && !/--force/.test(e.message));
    writeFileSync(join(dir, MANIFEST), "{not json");
    assert.throws(() => claimRunDir(dir, run({}), { force: false, flag: "--out" }), /kshot-run\.json is damaged/);
  });
});
