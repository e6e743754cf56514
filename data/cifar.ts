import { existsSync } from "node:fs";
import { join } from "node:path";
import type { ImageDataset } from "./dataset.js";
import { readMaybeGzip } from "./idx.js";

// CIFAR binary batches: records of label byte(s) then 3072 pixel bytes
// (1024 red, 1024 green, 1024 blue: already CHW). CIFAR-10 has one label
// byte; CIFAR-100 two (coarse, fine) and kshot uses the fine one.

const PIXELS = 3 * 32 * 32;

export function parseCifarBatch(path: string, variant: "cifar10" | "cifar100"): { images: Uint8Array; labels: Int32Array } {
  const buf = readMaybeGzip(path);
  const labelBytes = variant === "cifar10" ? 1 : 2;
  const record = labelBytes + PIXELS;
  if (buf.length === 0 || buf.length % record !== 0) {
    throw new Error(`${path}: ${buf.length} bytes is not a whole number of ${variant} records of ${record} bytes (truncated or not a ${variant} batch)`);
  }
  const n = buf.length / record;
  const classes = variant === "cifar10" ? 10 : 100;
  const images = new Uint8Array(n * PIXELS);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const label = buf[i * record + labelBytes - 1]!;
    if (label >= classes) throw new Error(`${path}: record ${i} has label ${label}, outside 0..${classes - 1}`);
    labels[i] = label;
    images.set(buf.subarray(i * record + labelBytes, (i + 1) * record), i * PIXELS);
  }
  return { images, labels };
}

const batchFiles = {
  cifar10: { train: ["data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"], test: ["test_batch.bin"] },
  cifar100: { train: ["train.bin"], test: ["test.bin"] },
} as const;

/** CIFAR-10/100 from the directory of the binary distribution. */
export function loadCifarSplit(dir: string, variant: "cifar10" | "cifar100", split: "train" | "test"): ImageDataset {
  const parts = batchFiles[variant][split].map((f) => {
    const p = join(dir, f);
    if (!existsSync(p)) throw new Error(`${dir}: no ${f} (expected the ${variant} binary version)`);
    return parseCifarBatch(p, variant);
  });
  const count = parts.reduce((s, p) => s + p.labels.length, 0);
  const images = new Uint8Array(count * PIXELS), labels = new Int32Array(count);
  let at = 0;
  for (const p of parts) {
    images.set(p.images, at * PIXELS);
    labels.set(p.labels, at);
    at += p.labels.length;
  }
  return { name: `${variant}/${split}`, images, labels, count, channels: 3, height: 32, width: 32, classes: variant === "cifar10" ? 10 : 100 };
}
