import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { availableParallelism } from "node:os";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { KSHOT } from "../helpers/cli.js";
import { loadSafetensors } from "../../engine/index.js";
import { tempDir } from "../helpers/temp_dir.js";

const dir = tempDir("kshot-cli-");
const kshot = (...args: string[]) => spawnSync(process.execPath, [...KSHOT, ...args], { encoding: "utf8" });

describe("kshot train (CLI)", () => {
  it("documents every flag", () => {
    const r = kshot("train", "--help");
    assert.equal(r.status, 0);
    for (const flag of ["--space", "--macro", "--alpha", "--eps", "--warmup-epochs", "--decay-every", "--ema-decay", "--label-smoothing", "--arch", "--C", "--N", "--dataset", "--data-dir", "--train-limit", "--epochs", "--batch-size", "--lr",
      "--momentum", "--nesterov", "--weight-decay", "--seed", "--out", "--threads", "--json"]) assert.ok(r.stdout.includes(flag), flag);
    assert.equal(kshot("--help").status, 0);
  });

  it("trains on the embedded data and ends stdout with a JSON summary", () => {
    const out = join(dir, "ckpt.safetensors");
    const r = kshot("train", "--data-dir", "data/fashion-mnist-subset", "--train-limit", "64", "--test-limit", "64",
      "--epochs", "1", "--C", "4", "--nesterov", "--json", "--out", out);
    assert.equal(r.status, 0, r.stderr);
    const last = JSON.parse(r.stdout.trim().split("\n").pop()!);
    assert.ok(last.testAcc >= 0 && last.testAcc <= 1);
    assert.equal(last.trainLoss.length, 1);
    assert.equal(last.seconds.length, 1);
    assert.equal(last.checkpoint, out);
    assert.match(r.stderr, /data from data\/fashion-mnist-subset/);
  });

  it("trains to the same bits with 1 and 3 CPU threads (3 oversubscribed where there are fewer cores)", () => {
    const runs = ["1", "3"].map((threads) => {
      const out = join(dir, `threads-${threads}.safetensors`);
      const r = kshot("train", "--data-dir", "data/fashion-mnist-subset", "--train-limit", "128", "--test-limit", "64",
        "--epochs", "1", "--C", "8", "--batch-size", "32", "--threads", threads, "--threads-oversubscribe", "--json", "--out", out);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stderr, new RegExp(`cpu backend, ${threads} CPU thread\\(s\\)`));
      return { summary: JSON.parse(r.stdout.trim().split("\n").pop()!), bytes: readFileSync(out) };
    });
    assert.deepEqual(runs[1]!.summary.trainLoss, runs[0]!.summary.trainLoss);
    assert.equal(runs[1]!.summary.testAcc, runs[0]!.summary.testAcc);
    assert.ok(runs[1]!.bytes.equals(runs[0]!.bytes), "the checkpoints are byte-identical");
  });

  it("bad flags and bad data fail with one clear line and a non-zero exit", () => {
    const cases: [string[], RegExp, number][] = [
      [["train", "--bogus"], /^kshot train: Unknown option '--bogus'/, 2],
      [["train", "--epochs", "zero"], /^kshot train: --epochs expects an integer >= 1 in decimal, received 'zero'$/, 2],
      [["train", "--lr=-1"], /^kshot train: --lr expects a number >= 0 in decimal, received '-1'$/, 2],
      [["train", "--epochs", "0x10"], /^kshot train: --epochs expects an integer >= 1 in decimal, received '0x10'$/, 2],
      [["train", "--epochs", " 2"], /^kshot train: --epochs expects an integer >= 1 in decimal, received ' 2'$/, 2],
      [["train", "--lr", "Infinity"], /^kshot train: --lr expects a number >= 0 in decimal, received 'Infinity'$/, 2],
      [["train", "--seed", "4294967296"], /^kshot train: --seed expects an integer >= 0 and <= 4294967295 in decimal, received '4294967296'$/, 2],
      [["train", "--lr", "-1"], /^kshot train: --lr takes a value starting with '-': write it as --lr=VALUE$/, 2],
      [["train", "--threads", "0"], /^kshot train: --threads: expected a whole number of threads from 1 to 256, received '0'$/, 2],
      [["train", "--threads", String(availableParallelism() + 1)], new RegExp(`^kshot train: --threads ${availableParallelism() + 1} is more than the ${availableParallelism()} available core\\(s\\); give at most ${availableParallelism()}, or --threads-oversubscribe`), 2],
      [["train", "--arch", "|conv~0|"], /^kshot train: invalid NAS-Bench-201 architecture/, 2],
      [["train", "--dataset", "imagenet"], /^kshot: unknown dataset 'imagenet'/, 1],
      [["train", "--data-dir", join(dir, "nope")], /no such data directory$/, 1],
      [["frobnicate"], /^kshot: unknown command 'frobnicate'/, 2],
      [["train", "--space", "mbv3"], /^kshot train: --space expects nb201 or mbv2, received 'mbv3'$/, 2],
      [["train", "--space", "mbv2", "--nesterov"], /^kshot train: --nesterov does not apply with --space mbv2$/, 2],
      [["train", "--ema-decay", "0.9"], /^kshot train: --ema-decay does not apply with --space nb201$/, 2],
      [["train", "--space", "mbv2", "--arch", "k3e6"], /^kshot train: invalid MobileNetV2-space architecture: 1 layer choices; expected 21/, 2],
      [["train", "--space", "mbv2", "--macro", "huge"], /^kshot train: --macro expects imagenet or mini, received 'huge'$/, 2],
      [["train", "--space", "mbv2", "--momentum", "1"], /^kshot train: --momentum expects a number below 1 with RMSProp, received '1'$/, 2],
      [["train", "--space", "mbv2", "--epochs", "2", "--warmup-epochs", "3"], /^kshot train: --warmup-epochs 3 exceeds --epochs 2$/, 2],
      [["train", "--space", "mbv2", "--ema-decay", "1"], /^kshot train: --ema-decay expects a number >= 0 and <= 0.999999999 in decimal, received '1'$/, 2],
    ];
    writeFileSync(join(dir, "train-images-idx3-ubyte"), Buffer.from([0, 0, 8, 2, 0, 0]));
    writeFileSync(join(dir, "train-labels-idx1-ubyte"), Buffer.from([0, 0, 8, 1, 0, 0, 0, 0]));
    cases.push([["train", "--data-dir", dir], /train-images-idx3-ubyte: wrong magic number 0x00000802, expected 0x00000803/, 1]);
    for (const [args, message, code] of cases) {
      const r = kshot(...args);
      assert.equal(r.status, code, `${args.join(" ")}: ${r.stderr}`);
      const lines = r.stderr.trim().split("\n");
      assert.equal(lines.length, 1, `one line for ${args.join(" ")}: ${r.stderr}`);
      assert.match(lines[0]!, message);
    }
  });

  it("--space mbv2 trains a MobileNetV2-space network with the paper's recipe scaled to the run, and says so in its JSON and checkpoint", () => {
    const out = join(dir, "mbv2.safetensors");
    const arch = "k3e3,id,k5e3-se,k7e6,id,k3e3,k7e3-se,id,k5e6-se,k3e6-se,id,k7e6,k5e3,id,k3e3-se,k7e6-se,id,k5e6,k3e6,k7e3,k5e6-se|"
      + new Array(24).fill("0.4").join(",");
    const r = kshot("train", "--space", "mbv2", "--arch", arch, "--data-dir", "data/fashion-mnist-subset", "--train-limit", "64", "--test-limit", "32",
      "--epochs", "1", "--batch-size", "32", "--json", "--out", out);
    assert.equal(r.status, 0, r.stderr);
    const last = JSON.parse(r.stdout.trim().split("\n").pop()!);
    assert.equal(last.space, "mbv2");
    assert.equal(last.macro, "mini"); // 28x28 input
    const described = JSON.parse(kshot("describe", "--space", "mbv2", "--arch", arch, "--input", "1x28x28", "--json").stdout);
    assert.deepEqual([last.params, last.macs], [described.params, described.macs]);
    // 0.128 per 1,024 images at batch 32; warm-up 5/350 and decay every 2.4/350 of the 1-epoch run
    assert.deepEqual(last.recipe, { optimizer: "rmsprop", epochs: 1, batchSize: 32, lr: 0.004, momentum: 0.9, alpha: 0.9, eps: 0.001, weightDecay: 1e-5,
      warmupEpochs: 5 / 350, decayFactor: 0.97, decayEpochs: 2.4 / 350, emaDecay: 0.9999, labelSmoothing: 0.1 });
    const ckpt = loadSafetensors(out);
    assert.equal(ckpt.metadata.format, "kshot-mbv2");
    assert.equal(ckpt.metadata.arch, arch);
    assert.match(r.stderr, /mbv2 \(mini macro\)/);
  });

  it("stops at a non-finite loss with one line and writes no checkpoint", () => {
    const out = join(dir, "diverged.safetensors");
    const r = kshot("train", "--lr", "1e30", "--train-limit", "256", "--epochs", "1", "--out", out);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr.trim().split("\n").pop()!, /^kshot: training diverged: loss (NaN|Infinity|-Infinity) at epoch 1, step \d+ \(a lower learning rate may help\)$/);
    assert.ok(!existsSync(out));
  });
});
