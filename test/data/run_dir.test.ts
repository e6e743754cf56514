import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { MANIFEST, canonicalJson, claimRunDir, differingFields } from "../../data/run_dir.js";
import { tempDir } from "../helpers/temp_dir.js";

const fresh = () => tempDir("kshot-rundir-");
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
    assert.throws(() => claimRunDir(dir, run({ epochs: 28, seed: 1 }), { force: false, flag: "--out" }), /other settings \(epochs 36 -> 28; seed 0 -> 1\)/);
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

  it("compares arrays and values whole, an object against a non-object as a value, and a top-level value as 'value'", () => {
    assert.deepEqual(differingFields({ a: [1, 2] }, { a: [1, 2] }), []);
    assert.deepEqual(differingFields({ a: { b: 1 } }, { a: null }), ['a {"b":1} -> null']);
    assert.deepEqual(differingFields({ a: null }, { a: { b: 1 } }), ['a null -> {"b":1}']);
    assert.deepEqual(differingFields(3, 4), ["value 3 -> 4"]);
    assert.deepEqual(differingFields({ a: [1] }, { a: { 0: 1 } }), ['a [1] -> {"0":1}']);
    assert.equal(canonicalJson([{ b: 2, a: 1 }, null, "x"]), '[{"a":1,"b":2},null,"x"]');
    assert.equal(canonicalJson(null), "null");
  });

  it("a manifest without a command or settings is damaged; the write-test file of an earlier claim does not count as content", () => {
    const dir = fresh();
    writeFileSync(join(dir, MANIFEST), JSON.stringify({ command: "kshot run" }));
    assert.throws(() => claimRunDir(dir, run({}), { force: false, flag: "--out" }), /kshot-run\.json is damaged \(no command or settings\); move the directory away or give --force$/);
    writeFileSync(join(dir, MANIFEST), JSON.stringify({ command: "kshot run", settings: null }));
    assert.throws(() => claimRunDir(dir, run({}), { force: false, flag: "--out" }), /is damaged \(no command or settings\)/);
    writeFileSync(join(dir, MANIFEST), JSON.stringify({ command: 7, settings: {} }));
    assert.throws(() => claimRunDir(dir, run({}), { force: false, flag: "--out" }), /is damaged \(no command or settings\)/);
    writeFileSync(join(dir, MANIFEST), JSON.stringify({ command: "kshot run", settings: 5 }));
    assert.throws(() => claimRunDir(dir, run({}), { force: false, flag: "--out" }), /is damaged \(no command or settings\)/);
    const other = fresh();
    writeFileSync(join(other, ".kshot-write-test-123"), "");
    assert.equal(claimRunDir(other, run({}), { force: false, flag: "--out" }), "new");
  });

  it("lists at most three entries of a foreign directory, and --force claims it", () => {
    const dir = fresh();
    for (const f of ["a", "b", "c", "d"]) writeFileSync(join(dir, f), "");
    assert.throws(() => claimRunDir(dir, run({}), { force: false, flag: "--out" }), /was not written by kshot \(a, b, c, \.\.\.\); give another --out, or --force to write over them$/);
    const three = fresh();
    for (const f of ["a", "b", "c"]) writeFileSync(join(three, f), "");
    assert.throws(() => claimRunDir(three, run({}), { force: false, flag: "--out" }), /\(a, b, c\); give another/);
    assert.equal(claimRunDir(dir, run({}), { force: true, flag: "--out" }), "new");
    assert.equal(JSON.parse(readFileSync(join(dir, MANIFEST), "utf8")).command, "kshot run");
  });
});

