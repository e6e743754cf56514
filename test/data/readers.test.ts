import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { gzipSync } from "node:zlib";
import { Rng } from "../../engine/index.js";
import { batchCount, batches, splitIndices } from "../../data/batches.js";
import { loadCifarSplit, parseCifarBatch } from "../../data/cifar.js";
import { head, subset, type ImageDataset } from "../../data/dataset.js";
import { readIdx } from "../../data/idx.js";
import { loadMnistSplit } from "../../data/mnist.js";
import { tempDir } from "../helpers/temp_dir.js";

// The dataset readers and batches on tiny hand-made data, each expectation
// written out or computed by a plain loop of the test's own.

const dir = tempDir("kshot-readers-");
let n = 0;
function file(bytes: number[] | Buffer): string {
  const path = join(dir, `f${n++}`);
  writeFileSync(path, Buffer.from(bytes));
  return path;
}

/** Four 2-channel 2x3 images whose pixel k of image i is 10 i + k, labels 3, 1, 4, 1. */
function tiny(): ImageDataset {
  const images = Uint8Array.from({ length: 4 * 12 }, (_, j) => 10 * Math.floor(j / 12) + (j % 12));
  return { name: "tiny", images, labels: Int32Array.from([3, 1, 4, 1]), count: 4, channels: 2, height: 2, width: 3, classes: 5 };
}

describe("dataset subsets", () => {
  it("subset copies the chosen images and labels in the given order", () => {
    const s = subset(tiny(), [2, 0], "two");
    assert.equal(s.name, "two");
    assert.equal(s.count, 2);
    assert.deepEqual([...s.labels], [4, 3]);
    assert.deepEqual([...s.images], [...Array.from({ length: 12 }, (_, k) => 20 + k), ...Array.from({ length: 12 }, (_, k) => k)]);
    assert.deepEqual([s.channels, s.height, s.width, s.classes], [2, 2, 3, 5]);
    assert.equal(subset(tiny(), [1]).name, "tiny", "the name is kept by default");
  });

  it("head takes the first n, all of them when n is absent or too large, and refuses a count that is not positive", () => {
    const ds = tiny();
    assert.equal(head(ds), ds);
    assert.equal(head(ds, 4), ds);
    assert.equal(head(ds, 9), ds);
    const h = head(ds, 3);
    assert.deepEqual([h.count, ...h.labels], [3, 3, 1, 4]);
    assert.equal(h.images.length, 36);
    for (const bad of [0, -1, 1.5]) assert.throws(() => head(ds, bad), new RegExp(`^Error: tiny: expected a positive number of examples, received ${bad}$`));
  });
});

describe("batches", () => {
  it("counts batches with and without the last short one", () => {
    assert.equal(batchCount(10, { batchSize: 4 }), 3);
    assert.equal(batchCount(10, { batchSize: 4, dropLast: true }), 2);
    assert.equal(batchCount(8, { batchSize: 4, dropLast: true }), 2);
  });

  it("refuses means or stds that are not one per channel", () => {
    const run = (mean: number[], std: number[]) => [...batches(tiny(), { batchSize: 2, mean, std })];
    assert.throws(() => run([0.5], [1, 1]), /^Error: batches: expected 2 per-channel means and stds for tiny, received 1 and 2$/);
    assert.throws(() => run([0.5, 0.5], [1]), /received 2 and 1$/);
    assert.equal(run([0, 0], [1, 1]).length, 2);
  });

  for (const p of [1, 2]) it(`crops with ${p} pixel(s) of zero padding and flips exactly as a plain loop over the same draws does`, () => {
    const ds = tiny(), mean = [0.1, 0.2], std = [0.5, 0.25];
    const got = [...batches(ds, { batchSize: 3, rng: new Rng(5), mean, std, cropPadding: p, flip: true })];
    // the same generator, drawn in the documented order: the shuffle, then per image dy, dx, flip
    const rng = new Rng(5);
    const order = Int32Array.from([0, 1, 2, 3]);
    rng.shuffle(order);
    const want: number[] = [];
    let flips = 0, shifted = 0;
    for (const img of order) {
      const dy = rng.int(2 * p + 1) - p, dx = rng.int(2 * p + 1) - p, flip = rng.uniform() < 0.5;
      flips += flip ? 1 : 0;
      shifted += dy !== 0 || dx !== 0 ? 1 : 0;
      for (let ch = 0; ch < 2; ch++) {
        for (let r = 0; r < 2; r++) {
          for (let c = 0; c < 3; c++) {
            const sr = r + dy, sc = (flip ? 2 - c : c) + dx;
            const inside = sr >= 0 && sr < 2 && sc >= 0 && sc < 3;
            const v = inside ? 10 * img + ch * 6 + sr * 3 + sc : 0;
            want.push((v / 255 - mean[ch]!) / std[ch]!);
          }
        }
      }
    }
    assert.ok(flips > 0 && flips < 4 && shifted > 0, "the seed gives a mix of flipped, unflipped and shifted images");
    assert.deepEqual(got.map((b) => b.x.shape), [[3, 2, 2, 3], [1, 2, 2, 3]]);
    assert.deepEqual(got.map((b) => b.y.dtype), ["int32", "int32"]);
    const x = got.flatMap((b) => [...b.x.dataSync()]);
    want.forEach((v, i) => assert.ok(Math.abs(x[i]! - v) < 1e-5, `element ${i}: ${x[i]} against ${v}`));
    assert.deepEqual(got.flatMap((b) => [...b.labels]), [...order].map((i) => ds.labels[i]!));
    assert.deepEqual(got.flatMap((b) => [...b.y.dataSync()]), [...order].map((i) => ds.labels[i]!));
  });

  it("a validation split takes a seeded sample, both parts sorted, and refuses sizes outside 0..count-1", () => {
    const s = splitIndices(10, 4, new Rng(1));
    const order = Int32Array.from({ length: 10 }, (_, i) => i);
    new Rng(1).shuffle(order);
    assert.deepEqual([...s.val], [...order.slice(0, 4)].sort((a, b) => a - b));
    assert.deepEqual([...s.train], [...order.slice(4)].sort((a, b) => a - b));
    assert.notDeepEqual([...order.slice(0, 4)], [...s.val], "the seed's sample is not already in order");
    assert.deepEqual([...splitIndices(3, 0, new Rng(1)).train], [0, 1, 2]);
    for (const bad of [-1, 10, 1.5]) assert.throws(() => splitIndices(10, bad, new Rng(1)), new RegExp(`validation split: expected 0 <= size < 10, received ${bad}`));
  });
});

describe("IDX headers", () => {
  it("a file is gunzipped only when it starts with both gzip bytes", () => {
    assert.throws(() => readIdx(file([0x1f, 0x00, 0x08, 0x01]), 1), /wrong magic number 0x1f000801, expected 0x00000801/);
    assert.throws(() => readIdx(file([0x00, 0x8b, 0x08, 0x01]), 1), /wrong magic number 0x008b0801/);
    const idx = Buffer.from([0, 0, 8, 1, 0, 0, 0, 2, 7, 9]);
    assert.deepEqual([...readIdx(file(gzipSync(idx)), 1).data], [7, 9]);
    assert.deepEqual([...readIdx(file(idx), 1).data], [7, 9]);
  });

  it("names a short file, a wrong type or rank, a cut header and extra data", () => {
    assert.throws(() => readIdx(file([0x1f]), 1), /: not an IDX file: only 1 bytes$/);
    assert.throws(() => readIdx(file([0x1f, 0x8b]), 1), /: corrupt gzip data/, "two bytes of gzip magic are read as gzip");
    assert.throws(() => readIdx(file([0, 0, 8]), 1), /: not an IDX file: only 3 bytes$/);
    assert.throws(() => readIdx(file([0, 0, 8, 1]), 1), /: truncated header$/);
    assert.throws(() => readIdx(file([0, 0, 8, 2, 0, 0, 0, 1, 0, 0]), 2), /: truncated header$/);
    assert.throws(() => readIdx(file([0, 0, 9, 1, 0, 0, 0, 0]), 1), /wrong magic number 0x00000901, expected 0x00000801 \(unsigned bytes, 1 dimensions\)/);
    assert.throws(() => readIdx(file([0, 1, 8, 1, 0, 0, 0, 0]), 1), /wrong magic number 0x00010801/);
    assert.throws(() => readIdx(file([0, 0, 8, 1, 0, 0, 0, 1, 5, 6]), 1), /: 2 data bytes, expected 1 for dimensions \[1\]$/);
    assert.throws(() => readIdx(file([0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 3, 5, 6]), 2), /: 2 data bytes, expected 6 for dimensions \[2, 3\] \(truncated\)$/);
    assert.deepEqual(readIdx(file([0, 0, 8, 2, 0, 0, 0, 1, 0, 0, 0, 2, 4, 5]), 2).dims, [1, 2]);
  });
});

describe("MNIST directories", () => {
  function mnistDir(labels: number[], images = labels.length): string {
    const d = join(dir, `mnist${n++}`);
    mkdirSync(d);
    writeFileSync(join(d, "t10k-images-idx3-ubyte"), Buffer.from([0, 0, 8, 3, 0, 0, 0, images, 0, 0, 0, 1, 0, 0, 0, 1, ...Array(images).fill(0)]));
    writeFileSync(join(d, "t10k-labels-idx1-ubyte.gz"), gzipSync(Buffer.from([0, 0, 8, 1, 0, 0, 0, labels.length, ...labels])));
    return d;
  }

  it("reads raw and gzip files side by side, and refuses a label above 9 naming its index", () => {
    const ok = loadMnistSplit(mnistDir([0, 9, 3]), "test", "m");
    assert.deepEqual([ok.name, ok.count, ...ok.labels], ["m/test", 3, 0, 9, 3]);
    const d = mnistDir([0, 10, 3]);
    assert.throws(() => loadMnistSplit(d, "test", "m"), new RegExp(`t10k-labels-idx1-ubyte\\.gz: label 10 at index 1 is outside 0\\.\\.9$`));
    assert.throws(() => loadMnistSplit(mnistDir([12, 0]), "test", "m"), /label 12 at index 0 is outside/);
  });

  it("names both files when the counts differ, and the missing file", () => {
    const d = mnistDir([1, 2], 3);
    assert.throws(() => loadMnistSplit(d, "test", "m"), new RegExp(`${join(d, "t10k-images-idx3-ubyte")} and ${join(d, "t10k-labels-idx1-ubyte.gz")}: 3 images but 2 labels`));
    assert.throws(() => loadMnistSplit(d, "train", "m"), new RegExp(`^Error: ${d}: no train-images-idx3-ubyte or train-images-idx3-ubyte\\.gz$`));
  });
});

describe("CIFAR directories", () => {
  /** A batch of records whose label is `label` and whose pixels are all `label + 100`. */
  const batch = (labels: number[], labelBytes: number) =>
    Buffer.concat(labels.map((l) => Buffer.concat([Buffer.from(labelBytes === 1 ? [l] : [0, l]), Buffer.alloc(3072, l + 100)])));

  it("joins CIFAR-10's five training batches in order", () => {
    const d = join(dir, `cifar${n++}`);
    mkdirSync(d);
    [[1], [2, 3], [4], [5], [6, 7]].forEach((ls, i) => writeFileSync(join(d, `data_batch_${i + 1}.bin`), batch(ls, 1)));
    const ds = loadCifarSplit(d, "cifar10", "train");
    assert.deepEqual([ds.name, ds.count, ds.classes, ...ds.labels], ["cifar10/train", 7, 10, 1, 2, 3, 4, 5, 6, 7]);
    assert.deepEqual([0, 1, 2, 3, 4, 5, 6].map((i) => ds.images[i * 3072 + 3071]), [101, 102, 103, 104, 105, 106, 107]);
    assert.deepEqual([ds.images[0], ds.images.length], [101, 7 * 3072]);
    assert.throws(() => loadCifarSplit(d, "cifar10", "test"), new RegExp(`^Error: ${d}: no test_batch\\.bin \\(expected the cifar10 binary version\\)$`));
  });

  it("reads CIFAR-100's fine label, and refuses an empty batch", () => {
    const d = join(dir, `cifar${n++}`);
    mkdirSync(d);
    writeFileSync(join(d, "test.bin"), batch([42, 99], 2));
    const ds = loadCifarSplit(d, "cifar100", "test");
    assert.deepEqual([ds.name, ds.count, ds.classes, ...ds.labels], ["cifar100/test", 2, 100, 42, 99]);
    assert.throws(() => parseCifarBatch(file([]), "cifar10"), /: 0 bytes is not a whole number of cifar10 records of 3073 bytes/);
  });
});
