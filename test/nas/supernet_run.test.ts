import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { loadSafetensors, saveSafetensors, tensor } from "../../engine/index.js";
import { readCsv } from "../../data/csv.js";
import { nb201Isomorphism, parseNb201 } from "../../nas/nb201/arch.js";
import { buildSupernetSession, continueSupernetTraining, loadSupernetCheckpoint, type SupernetConfig } from "../../nas/supernet/session.js";
import { DEFAULT_SUPERNET_OPTIONS } from "../../nas/supernet/trainer.js";
import { EMBEDDED_FASHION_MNIST } from "../../train/datasets.js";
import { KSHOT } from "../helpers/cli.js";
import { tempDir } from "../helpers/temp_dir.js";

const dir = tempDir("kshot-supernet-");
const config: SupernetConfig = {
  ...DEFAULT_SUPERNET_OPTIONS, space: "nb201", mode: "kshot", K: 3, C: 4, N: 1, dataset: "fashion-mnist",
  dataDir: EMBEDDED_FASHION_MNIST, trainLimit: 160, valSize: 32, epochs: 3, warmupEpochs: 1, batchSize: 32, m: 4, simplexBatch: 32, hidden: 16, seed: 11,
};

function bytes(path: string): Map<string, Buffer> {
  return new Map([...loadSafetensors(path).tensors].map(([n, t]) => [n, Buffer.from(t.dataSync().buffer)]));
}

class Interrupt extends Error {}

describe("supernet runs", () => {
  it("a run interrupted after an epoch and resumed ends bit-identical to an uninterrupted one", async () => {
    const whole = join(dir, "whole.safetensors"), parted = join(dir, "parted.safetensors");
    await continueSupernetTraining(buildSupernetSession(config), whole);
    await assert.rejects(continueSupernetTraining(buildSupernetSession(config), parted, undefined, (r) => {
      if (r.epoch === 2) throw new Interrupt(); // after the alternation has started, with optimiser state in flight
    }), Interrupt);
    const resumed = loadSupernetCheckpoint(parted);
    assert.equal(resumed.trainer.epoch, 2);
    await continueSupernetTraining(resumed, parted);
    const a = bytes(whole), b = bytes(parted);
    assert.deepEqual([...b.keys()].sort(), [...a.keys()].sort());
    for (const [n, buf] of a) assert.ok(buf.equals(b.get(n)!), `${n} differs after resume`);
    assert.ok([...a.keys()].some((n) => n.startsWith("opt_simplex.")), "simplex-net optimiser state is saved");
  });

  it("kshot supernet eval prints accuracy and lambda of given and sampled paths", async () => {
    const ckpt = join(dir, "eval.safetensors");
    await continueSupernetTraining(buildSupernetSession({ ...config, epochs: 2 }), ckpt);
    const arch = "|nor_conv_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|avg_pool_3x3~0|none~1|nor_conv_3x3~2|";
    const r = spawnSync(process.execPath, [...KSHOT, "supernet", "eval", "--checkpoint", ckpt, "--arch", arch, "--sample", "2", "--json"], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    const rows = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
    assert.equal(rows.length, 3);
    assert.equal(rows[0].arch, arch);
    for (const row of rows) {
      assert.ok(row.valAcc >= 0 && row.valAcc <= 1);
      assert.equal(row.lambda.length, 3);
      assert.ok(Math.abs(row.lambda.reduce((s: number, v: number) => s + v, 0) - 1) < 1e-5);
      assert.ok(row.macs > 0 && row.params > 0);
    }
    const bad = spawnSync(process.execPath, [...KSHOT, "supernet", "eval", "--checkpoint", ckpt, "--arch", "|x~0|"], { encoding: "utf8" });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr.trim(), /^kshot supernet eval: invalid NAS-Bench-201 architecture/);
  });

  it("kshot supernet eval samples functions without replacement, reads --arch-file, and writes a CSV that kshot rank reads", async () => {
    const ckpt = join(dir, "eval-csv.safetensors");
    await continueSupernetTraining(buildSupernetSession({ ...config, epochs: 1 }), ckpt);
    const given = "|nor_conv_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|avg_pool_3x3~0|none~1|nor_conv_3x3~2|";
    const list = join(dir, "archs.txt"), csv = join(dir, "scores", "eval.csv");
    writeFileSync(list, `${given}\n\n`);
    const r = spawnSync(process.execPath, [...KSHOT, "supernet", "eval", "--checkpoint", ckpt, "--arch-file", list, "--sample", "200", "--seed", "4", "--csv", csv],
      { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    const t = readCsv(csv);
    assert.deepEqual(t.columns, ["arch", "val_acc", "mflops", "params", "macs", "lambda"]);
    assert.equal(t.rows.length, 201);
    assert.equal(t.rows[0]![0], given);
    const keys = t.rows.map((row) => nb201Isomorphism(parseNb201(row[0]!)));
    assert.equal(new Set(keys).size, 201, "one row per function");
    const rank = spawnSync(process.execPath, [...KSHOT, "rank", "--truth", csv, "--pred", csv, "--truth-column", "mflops", "--pred-column", "val_acc", "--json"], { encoding: "utf8" });
    assert.equal(rank.status, 0, rank.stderr);
    assert.equal(JSON.parse(rank.stdout).n, 201);
    const tooMany = spawnSync(process.execPath, [...KSHOT, "supernet", "eval", "--checkpoint", ckpt, "--sample", "6467"], { encoding: "utf8" });
    assert.equal(tooMany.status, 2);
    assert.match(tooMany.stderr.trim(), /--sample 6467 asks for more than the 6466 distinct functions left in the space$/);
  });

  it("--resume takes the run's settings from the checkpoint: other flags, a finished run and missing optimiser state are refused", async () => {
    const ckpt = join(dir, "resume.safetensors");
    await continueSupernetTraining(buildSupernetSession({ ...config, epochs: 2 }), ckpt);
    const kshot = (...args: string[]) => spawnSync(process.execPath, [...KSHOT, "supernet", "train", ...args], { encoding: "utf8" });
    const conflict = kshot("--resume", ckpt, "--K", "2", "--out", ckpt);
    assert.equal(conflict.status, 2);
    assert.match(conflict.stderr.trim(), /--K cannot be given with --resume: the run's settings come from its checkpoint/);
    const done = kshot("--resume", ckpt, "--out", ckpt);
    assert.equal(done.status, 2);
    assert.match(done.stderr.trim(), /resume\.safetensors has done all 2 epoch\(s\); give --epochs with more to extend it$/);
    assert.doesNotMatch(done.stdout, /trained/);
    const below = kshot("--resume", ckpt, "--epochs", "1", "--out", ckpt);
    assert.match(below.stderr.trim(), /--epochs 1 is below the 2 epoch\(s\)/);
    const extended = kshot("--resume", ckpt, "--epochs", "3", "--out", ckpt);
    assert.equal(extended.status, 0, extended.stderr);
    assert.match(extended.stdout, /^trained 1 epoch\(s\); checkpoint /);
    assert.equal(loadSupernetCheckpoint(ckpt).trainer.epoch, 3);
    // the same file without its optimiser state
    const { tensors, metadata } = loadSafetensors(ckpt);
    const bare = join(dir, "bare.safetensors");
    await saveSafetensors(bare, new Map([...tensors].filter(([n]) => !n.startsWith("opt_"))), metadata);
    const r = kshot("--resume", bare, "--epochs", "4", "--out", bare);
    assert.equal(r.status, 1);
    assert.match(r.stderr.trim(), /bare\.safetensors: no optimiser state \(opt_supernet\.\*\) after 3 epoch\(s\): a resumed run could not continue exactly/);
  });

  it("a damaged checkpoint is one error naming the file and the field", async () => {
    const ckpt = join(dir, "meta.safetensors");
    await continueSupernetTraining(buildSupernetSession({ ...config, epochs: 1 }), ckpt);
    const { tensors, metadata } = loadSafetensors(ckpt);
    const meta = JSON.parse(metadata.kshot_supernet!);
    const variant = async (name: string, m: unknown) => {
      const p = join(dir, name);
      await saveSafetensors(p, tensors, { kshot_supernet: typeof m === "string" ? m : JSON.stringify(m) });
      return p;
    };
    const cases: [string, unknown, RegExp][] = [
      ["json.safetensors", "{not json", /json\.safetensors: damaged kshot supernet metadata: not JSON/],
      ["noconfig.safetensors", { ...meta, config: undefined }, /noconfig\.safetensors: damaged kshot supernet metadata: no 'config'/],
      ["old.safetensors", { ...meta, config: { ...meta.config, simplexBatch: undefined } }, /old\.safetensors: .*no config\.simplexBatch: written by a kshot from before/],
      ["k.safetensors", { ...meta, config: { ...meta.config, K: "four" } }, /k\.safetensors: damaged kshot supernet metadata: config\.K is "four", expected an integer >= 1/],
      ["dataset.safetensors", { ...meta, config: { ...meta.config, dataset: undefined } }, /config\.dataset is undefined, expected a data set name/],
      ["otherK.safetensors", { ...meta, config: { ...meta.config, K: 2 } }, /otherK\.safetensors: its tensors do not fit the run its metadata describes \(space nb201, K=2, C=4, N=1, hidden 16\)/],
    ];
    // weights that went NaN
    const name = [...tensors.keys()].find((n) => n.startsWith("supernet."))!;
    const poisoned = new Map(tensors);
    const values = Float32Array.from(tensors.get(name)!.dataSync());
    values[0] = NaN;
    values[1] = Infinity;
    poisoned.set(name, tensor(values, tensors.get(name)!.shape));
    const nan = join(dir, "nan.safetensors");
    await saveSafetensors(nan, poisoned, metadata);
    assert.throws(() => loadSupernetCheckpoint(nan), new RegExp(`nan\\.safetensors: ${name.replace(/\./g, "\\.")} holds 2 non-finite value\\(s\\)`));
    for (const [name, m, message] of cases) {
      const p = await variant(name, m);
      assert.throws(() => loadSupernetCheckpoint(p), message);
    }
  });

  it("stores the data directory absolute, so the checkpoint is usable from any working directory", () => {
    const out = join(dir, "abs.safetensors");
    const r = spawnSync(process.execPath, [...KSHOT, "supernet", "train", "--C", "4", "--K", "2", "--epochs", "1", "--train-limit", "96", "--val-size", "32",
      "--data-dir", "data/fashion-mnist-subset", "--out", out], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    const e = spawnSync(process.execPath, [...KSHOT, "supernet", "eval", "--checkpoint", out, "--sample", "1"], { encoding: "utf8", cwd: tmpdir() });
    assert.equal(e.status, 0, e.stderr);
  });
});
