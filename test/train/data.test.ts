import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { gunzipSync } from "node:zlib";
import { Rng } from "../../engine/index.js";
import { batches, splitIndices } from "../../data/batches.js";
import { loadCifarSplit, parseCifarBatch } from "../../data/cifar.js";
import type { ImageDataset } from "../../data/dataset.js";
import { readIdx } from "../../data/idx.js";
import { loadDataset } from "../../train/datasets.js";
import { loadMnistSplit } from "../../data/mnist.js";
import { EMBEDDED_FASHION_MNIST } from "../../train/datasets.js";
import { tempDir } from "../helpers/temp_dir.js";

const dir = tempDir("kshot-data-");

describe("IDX files", () => {
  it("read the embedded Fashion-MNIST subset (gzip) and raw files alike", () => {
    const train = loadMnistSplit(EMBEDDED_FASHION_MNIST, "train", "fashion-mnist");
    const test = loadMnistSplit(EMBEDDED_FASHION_MNIST, "test", "fashion-mnist");
    assert.equal(train.count, 10000);
    assert.equal(test.count, 2000);
    assert.deepEqual([train.channels, train.height, train.width, train.classes], [1, 28, 28, 10]);
    assert.deepEqual([...train.labels.subarray(0, 10)], [9, 0, 0, 3, 0, 2, 7, 2, 5, 5]); // Fashion-MNIST's first labels
    const raw = join(dir, "raw-labels");
    writeFileSync(raw, gunzipSync(readFileSync(join(EMBEDDED_FASHION_MNIST, "t10k-labels-idx1-ubyte.gz"))));
    assert.deepEqual([...readIdx(raw, 1).data.subarray(0, 3)], [...test.labels.subarray(0, 3)]);
  });

  it("a wrong magic number, a truncated file or mismatched counts name the file and the problem", () => {
    const p = join(dir, "bad");
    writeFileSync(p, Buffer.from([0, 0, 8, 1, 0, 0, 0, 5, 1, 2]));
    assert.throws(() => readIdx(p, 1), new RegExp(`${p}: 2 data bytes, expected 5 for dimensions \\[5\\] \\(truncated\\)`));
    assert.throws(() => readIdx(p, 3), /wrong magic number 0x00000801, expected 0x00000803/);
    writeFileSync(p, Buffer.from([0x1f, 0x8b, 1, 2, 3]));
    assert.throws(() => readIdx(p, 1), /bad: corrupt gzip data/);
    assert.throws(() => readIdx(join(dir, "missing"), 1), /missing: cannot read \(ENOENT\)/);
    // 3 images, 2 labels
    const d = join(dir, "mismatch");
    const imgs = Buffer.concat([Buffer.from([0, 0, 8, 3, 0, 0, 0, 3, 0, 0, 0, 1, 0, 0, 0, 1]), Buffer.alloc(3)]);
    const lbls = Buffer.from([0, 0, 8, 1, 0, 0, 0, 2, 1, 1]);
    writeFileSync(join(dir, "t10k-images-idx3-ubyte"), imgs);
    writeFileSync(join(dir, "t10k-labels-idx1-ubyte"), lbls);
    assert.throws(() => loadMnistSplit(dir, "test", "x"), /3 images but 2 labels/);
    void d;
  });

  it("refuses, at load, splits of different image shapes or without images", () => {
    const idx = (n: number, h: number, w: number) => ({
      images: Buffer.concat([Buffer.from([0, 0, 8, 3, 0, 0, 0, n, 0, 0, 0, h, 0, 0, 0, w]), Buffer.alloc(n * h * w)]),
      labels: Buffer.concat([Buffer.from([0, 0, 8, 1, 0, 0, 0, n]), Buffer.alloc(n)]),
    });
    const write = (d: string, split: "train" | "t10k", f: ReturnType<typeof idx>) => {
      writeFileSync(join(d, `${split}-images-idx3-ubyte`), f.images);
      writeFileSync(join(d, `${split}-labels-idx1-ubyte`), f.labels);
    };
    const shapes = tempDir("kshot-shapes-");
    write(shapes, "train", idx(2, 4, 4));
    write(shapes, "t10k", idx(2, 5, 5));
    assert.throws(() => loadDataset("mnist", shapes), /mnist\/train has 1x4x4 images but mnist\/test has 1x5x5: both splits need one image shape/);
    const empty = tempDir("kshot-empty-");
    write(empty, "train", idx(0, 4, 4));
    write(empty, "t10k", idx(2, 4, 4));
    assert.throws(() => loadDataset("mnist", empty), /mnist\/train holds no images/);
  });
});

describe("CIFAR binary batches", () => {
  it("parse records of label byte(s) and 3072 CHW pixels; reject truncation and bad labels", () => {
    const rec = (label: number[], fill: number) => Buffer.concat([Buffer.from(label), Buffer.alloc(3072, fill)]);
    const p10 = join(dir, "test_batch.bin");
    writeFileSync(p10, Buffer.concat([rec([3], 7), rec([9], 8)]));
    const b = parseCifarBatch(p10, "cifar10");
    assert.deepEqual([...b.labels], [3, 9]);
    assert.equal(b.images[3072], 8);
    const p100 = join(dir, "c100.bin");
    writeFileSync(p100, rec([1, 42], 0));
    assert.deepEqual([...parseCifarBatch(p100, "cifar100").labels], [42]);
    writeFileSync(p10, rec([3], 0).subarray(0, 3000));
    assert.throws(() => parseCifarBatch(p10, "cifar10"), /3000 bytes is not a whole number of cifar10 records of 3073 bytes/);
    writeFileSync(p10, rec([10], 0));
    assert.throws(() => parseCifarBatch(p10, "cifar10"), /record 0 has label 10, outside 0..9/);
    assert.throws(() => loadCifarSplit(dir, "cifar10", "train"), /no data_batch_1.bin/);
  });
});

const tiny: ImageDataset = {
  name: "tiny", count: 5, channels: 1, height: 2, width: 2, classes: 5,
  images: Uint8Array.from({ length: 20 }, (_, i) => i * 10), labels: Int32Array.from([0, 1, 2, 3, 4]),
};

describe("batches", () => {
  it("normalise pixels scaled to [0, 1] and keep the last short batch", () => {
    const all = [...batches(tiny, { batchSize: 2, mean: [0.5], std: [0.25] })];
    assert.deepEqual(all.map((b) => b.x.shape[0]), [2, 2, 1]);
    const first = all[0]!.x.dataSync();
    assert.ok(Math.abs(first[1]! - (10 / 255 - 0.5) / 0.25) < 1e-6);
    assert.deepEqual([...all[2]!.y.dataSync()], [4]);
  });

  it("shuffle from a seed: the same seed gives the same order, each epoch a new one", () => {
    const order = (rng: Rng) => [...batches(tiny, { batchSize: 5, mean: [0], std: [1], rng })][0]!.y.dataSync();
    const r1 = new Rng(5), r2 = new Rng(5);
    const e1 = [...order(r1)], e2 = [...order(r1)];
    assert.deepEqual([...order(r2)], e1);
    assert.notDeepEqual(e1, e2);
    assert.deepEqual([...e1].sort(), [0, 1, 2, 3, 4]);
  });

  it("flip mirrors rows; crop padding shifts in zeros (normalised)", () => {
    const one: ImageDataset = { ...tiny, count: 1, height: 1, width: 4, images: Uint8Array.from([0, 51, 102, 153]), labels: Int32Array.from([0]) };
    const seen = new Set<string>();
    const rng = new Rng(3);
    for (let i = 0; i < 40; i++) {
      const [b] = [...batches(one, { batchSize: 1, mean: [0], std: [1], rng, flip: true })];
      seen.add([...b!.x.dataSync()].map((v) => Math.round(v * 255)).join());
    }
    assert.deepEqual([...seen].sort(), ["0,51,102,153", "153,102,51,0"]);
    const shifted = new Set<string>();
    for (let i = 0; i < 60; i++) {
      const [b] = [...batches(one, { batchSize: 1, mean: [0], std: [1], rng, cropPadding: 1 })];
      shifted.add([...b!.x.dataSync()].map((v) => Math.round(v * 255)).join());
    }
    assert.ok(shifted.has("0,0,51,102") && shifted.has("51,102,153,0") && shifted.has("0,51,102,153"));
  });

  it("hold out a seeded validation split from the training set", () => {
    const { train, val } = splitIndices(10, 3, new Rng(1));
    assert.equal(val.length, 3);
    assert.deepEqual([...train, ...val].sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.deepEqual([...splitIndices(10, 3, new Rng(1)).val], [...val]);
    assert.throws(() => splitIndices(10, 10, new Rng(1)), /expected 0 <= size < 10, received 10/);
  });
});
