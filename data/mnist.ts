import { existsSync } from "node:fs";
import { join } from "node:path";
import { checkCounts, type ImageDataset } from "./dataset.js";
import { readIdx } from "./idx.js";

const files = {
  train: ["train-images-idx3-ubyte", "train-labels-idx1-ubyte"],
  test: ["t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"],
} as const;

/** Finds `name` or `name.gz` in dir. */
function locate(dir: string, name: string): string {
  for (const p of [join(dir, name), join(dir, `${name}.gz`)]) if (existsSync(p)) return p;
  throw new Error(`${dir}: no ${name} or ${name}.gz`);
}

/** MNIST or Fashion-MNIST from a directory of IDX files (raw or gzip). */
export function loadMnistSplit(dir: string, split: "train" | "test", name: string): ImageDataset {
  const [imgName, lblName] = files[split];
  const imgPath = locate(dir, imgName), lblPath = locate(dir, lblName);
  const img = readIdx(imgPath, 3);
  const lbl = readIdx(lblPath, 1);
  checkCounts(`${imgPath} and ${lblPath}`, img.dims[0]!, lbl.dims[0]!);
  const labels = Int32Array.from(lbl.data);
  const bad = labels.findIndex((l) => l > 9);
  if (bad >= 0) throw new Error(`${lblPath}: label ${labels[bad]} at index ${bad} is outside 0..9`);
  return {
    name: `${name}/${split}`, images: img.data, labels, count: img.dims[0]!,
    channels: 1, height: img.dims[1]!, width: img.dims[2]!, classes: 10,
  };
}
