import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { KSHOT } from "../helpers/cli.js";
import { tempDir } from "../helpers/temp_dir.js";

// Bad inputs a new user gives, each reproduced: the command must fail (or
// refuse) at once with one line, before any expensive work, and lose nothing.

const kshot = (...args: string[]) => spawnSync(process.execPath, [...KSHOT, ...args], { encoding: "utf8", timeout: 180_000 });
const oneLine = (r: { stderr: string }) => r.stderr.trim().split("\n").filter((l) => !/^\s*$/.test(l));
const TABLE = "../shared/data/nb201-test-accuracy.csv";

/** Every key of a JSON value, at any depth. */
const keysOf = (v: unknown): string[] => (Array.isArray(v) ? v.flatMap(keysOf)
  : v !== null && typeof v === "object" ? Object.entries(v).flatMap(([k, x]) => [k, ...keysOf(x)]) : []);
/** One spelling for every key of every JSON output: camelCase, and MFLOPs as mflops. */
const assertVocabulary = (json: unknown, what: string) => {
  for (const k of keysOf(json)) {
    assert.match(k, /^[a-z][a-zA-Z0-9]*$/, `${what}: key '${k}' is not camelCase`);
    assert.ok(!/mflops/i.test(k) || k === "mflops" || k === "maxMflops", `${what}: MFLOPs spelled '${k}'`);
  }
};

describe("bad inputs fail before the work, in one line", () => {
  const dir = tempDir("kshot-robust-");
  const ckpt = join(dir, "tiny.safetensors");
  before(() => {
    const r = kshot("supernet", "train", "--C", "4", "--K", "2", "--epochs", "1", "--train-limit", "96", "--val-size", "32", "--hidden", "8", "--out", ckpt);
    assert.equal(r.status, 0, r.stderr);
  });

  it("kshot train --out naming a directory fails before training", () => {
    for (const out of [`${dir}/`, dir]) {
      const r = kshot("train", "--epochs", "1", "--train-limit", "64", "--out", out);
      assert.equal(r.status, 1);
      assert.match(r.stderr, /--out .*: expected a file path, received (a directory \(ends with '\/'\)|an existing directory)/);
      assert.doesNotMatch(r.stderr, /epoch|step/);
    }
  });

  it("kshot supernet eval --csv naming a directory fails before evaluating", () => {
    const r = kshot("supernet", "eval", "--checkpoint", ckpt, "--sample", "20", "--csv", dir);
    assert.equal(r.status, 1);
    assert.deepEqual(oneLine(r), [`kshot: --csv ${dir}: expected a file path, received an existing directory`]);
    assert.equal(r.stdout, "");
  });

  it("kshot run with a bound no cell meets, or an unreachable Redis, fails before training the supernet", () => {
    const small = ["run", "--quick", "--epochs", "1"];
    const bound = kshot(...small, "--max-mflops", "0.5", "--out", join(dir, "bound"));
    assert.equal(bound.status, 1);
    assert.match(bound.stderr, /no cell is within the bound of 0\.5 MFLOPs \(--max-mflops\): the cheapest has 1\.462/);
    assert.doesNotMatch(bound.stderr, /epoch 1/);
    const few = kshot(...small, "--max-mflops", "1.5", "--baselines", "9999", "--out", join(dir, "few"));
    assert.match(few.stderr, /the bound of 1\.5 MFLOPs \(--max-mflops\) holds \d+ distinct cell\(s\), too few for the pick and 9999 random cells \(--baselines\)/);
    assert.doesNotMatch(few.stderr, /epoch 1/);
    const redis = kshot(...small, "--executor", "bullmq", "--redis", "redis://127.0.0.1:9", "--out", join(dir, "redis"));
    assert.equal(redis.status, 1);
    assert.match(redis.stderr, /cannot reach Redis at redis:\/\/127\.0\.0\.1:9/);
    assert.doesNotMatch(redis.stderr, /epoch 1|\n\s+at /);
  });

  it("kshot search --out into a 'kshot run' directory is refused and leaves it whole; kshot report still renders it", () => {
    const run = join(dir, "run");
    mkdirSync(run);
    writeFileSync(join(run, "kshot-run.json"), `${JSON.stringify({ command: "kshot run", settings: {} })}\n`);
    writeFileSync(join(run, "summary.json"), "{\"mine\": true}\n");
    const r = kshot("search", "--supernet", ckpt, "--evaluations", "4", "--out", run);
    assert.equal(r.status, 1);
    assert.deepEqual(oneLine(r), [`kshot search --supernet: --out ${run} holds the results of 'kshot run'; give another --out, or --force to write over them`]);
    assert.equal(readFileSync(join(run, "summary.json"), "utf8"), "{\"mine\": true}\n");
    assert.ok(!existsSync(join(run, "front.json")));
  });

  it("a search evaluates at most --evaluations functions whatever the population, records its seed and settings, and a second search of other settings into its directory is refused", () => {
    const out = join(dir, "search");
    const r = kshot("search", "--supernet", ckpt, "--evaluations", "10", "--population", "49", "--workers", "1", "--seed", "3", "--out", out, "--json");
    assert.equal(r.status, 0, r.stderr);
    assert.equal((JSON.parse(readFileSync(join(out, "evaluated.json"), "utf8")) as unknown[]).length, 10);
    const summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8"));
    assertVocabulary(summary, "search summary.json");
    assertVocabulary(JSON.parse(r.stdout.trim().split("\n").at(-1)!), "search --json");
    assertVocabulary(JSON.parse(readFileSync(join(out, "front.json"), "utf8")), "front.json");
    assert.equal(summary.evaluations, 10);
    assert.equal(summary.settings.seed, 3);
    assert.equal(summary.settings.populationSize, 49);
    const again = kshot("search", "--supernet", ckpt, "--evaluations", "10", "--population", "49", "--workers", "1", "--seed", "4", "--out", out);
    assert.equal(again.status, 1);
    assert.match(again.stderr, /holds 'kshot search --supernet' results with other settings \(seed 3 -> 4\)/);
    assert.equal(JSON.parse(readFileSync(join(out, "summary.json"), "utf8")).settings.seed, 3);
  });

  it("every JSON output spells its keys one way", () => {
    const describe = kshot("describe", "--arch", "|none~0|+|none~0|none~1|+|none~0|none~1|none~2|", "--json");
    assertVocabulary(JSON.parse(describe.stdout), "describe --json");
    const evaluated = kshot("supernet", "eval", "--checkpoint", ckpt, "--sample", "2", "--json");
    for (const line of evaluated.stdout.trim().split("\n")) assertVocabulary(JSON.parse(line), "supernet eval --json");
    const t = join(dir, "v.csv");
    writeFileSync(t, "arch,a\nx,1\ny,2\nz,3\n");
    assertVocabulary(JSON.parse(kshot("rank", "--truth", t, "--pred", t, "--truth-column", "a", "--pred-column", "a", "--top-k", "1", "--json").stdout), "rank --json");
    assert.throws(() => assertVocabulary({ nb201Mflops: 1 }, "x"), /MFLOPs spelled 'nb201Mflops'/);
    assert.throws(() => assertVocabulary({ a: [{ test_acc: 1 }] }, "x"), /key 'test_acc' is not camelCase/);
  });

  it("an oversized population ends the oracle search within its budget", { skip: !existsSync(TABLE) && `no ${TABLE}` }, () => {
    const r = kshot("search", "--oracle", TABLE, "--population", "100000", "--evaluations", "30", "--json");
    assert.equal(r.status, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout.trim().split("\n").at(-1)!).evaluations, 30);
  });

  it("kshot report on a directory it did not write says so in one line", () => {
    const foreign = join(dir, "foreign");
    mkdirSync(foreign);
    writeFileSync(join(foreign, "summary.json"), "{}\n");
    writeFileSync(join(foreign, "evaluated.json"), "[]\n");
    const r = kshot("report", foreign);
    assert.equal(r.status, 1);
    assert.deepEqual(oneLine(r), [`kshot: report: ${join(foreign, "summary.json")} is not the summary of a 'kshot run' (it has no search, retraining or supernet section)`]);
    const search = kshot("report", join(dir, "search"));
    assert.match(search.stderr, /holds the results of 'kshot search --supernet', which has no report/);
  });

  it("a checkpoint whose data directory is gone says so, and --data-dir overrides it", () => {
    const moved = join(dir, "data-moved");
    const data = join(dir, "data");
    mkdirSync(data);
    for (const f of ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]) {
      writeFileSync(join(data, f), readFileSync(join("data/fashion-mnist-subset", f)));
    }
    const own = join(dir, "own.safetensors");
    assert.equal(kshot("supernet", "train", "--C", "4", "--K", "2", "--epochs", "1", "--train-limit", "96", "--val-size", "32", "--hidden", "8", "--data-dir", data, "--out", own).status, 0);
    spawnSync("mv", [data, moved]);
    const gone = kshot("supernet", "eval", "--checkpoint", own, "--sample", "1");
    assert.equal(gone.status, 1);
    assert.deepEqual(oneLine(gone), [`kshot: ${own} was trained on the data in ${data}, which is gone; give the same data's directory with --data-dir`]);
    const given = kshot("supernet", "eval", "--checkpoint", own, "--sample", "1", "--data-dir", moved, "--json");
    assert.equal(given.status, 0, given.stderr);
  });

  it("kshot rank --top-k with no cell left outside the group is a usage error naming the flag, not an internal function", () => {
    const t = join(dir, "t.csv");
    writeFileSync(t, "arch,a\nx,1\ny,2\nz,3\n");
    const r = kshot("rank", "--truth", t, "--pred", t, "--truth-column", "a", "--pred-column", "a", "--top-k", "3");
    assert.equal(r.status, 2);
    assert.deepEqual(oneLine(r), ["kshot rank: --top-k 3 leaves no architecture outside the top group of the 3 shared ones; give at most 2"]);
  });
});
