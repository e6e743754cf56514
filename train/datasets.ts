import { existsSync } from "node:fs";
import { loadCifarSplit } from "../data/cifar.js";
import type { ImageDataset } from "../data/dataset.js";
import { loadMnistSplit } from "../data/mnist.js";
import type { DataRecipe } from "./fit.js";
import { packageFile } from "../data/package_files.js";

export const DATASETS = ["fashion-mnist", "mnist", "cifar10", "cifar100"] as const;
export type DatasetName = (typeof DATASETS)[number];

/** Where Debian's dataset-fashion-mnist package puts the full data. */
export const DEBIAN_FASHION_MNIST = "/usr/share/datasets/fashion-mnist";
/** The subset committed in this repository (10,000 training and 2,000 test images). */
export const EMBEDDED_FASHION_MNIST = packageFile("data/fashion-mnist-subset");

/** Normalisation as is usual for each set; CIFAR gets random crops (padding 4) and flips. */
export const DATA_RECIPES: Record<DatasetName, DataRecipe> = {
  "fashion-mnist": { mean: [0.286], std: [0.353] },
  mnist: { mean: [0.1307], std: [0.3081] },
  cifar10: { mean: [0.4914, 0.4822, 0.4465], std: [0.247, 0.2435, 0.2616], cropPadding: 4, flip: true },
  cifar100: { mean: [0.5071, 0.4865, 0.4409], std: [0.2673, 0.2564, 0.2762], cropPadding: 4, flip: true },
};

export interface LoadedData { train: ImageDataset; test: ImageDataset; dir: string; note: string }

/**
 * Loads a data set. Without a directory, Fashion-MNIST comes from Debian's
 * path when it is installed, else from the embedded subset; the others need one.
 */
export function loadDataset(name: string, dir?: string): LoadedData {
  if (!(DATASETS as readonly string[]).includes(name)) throw new Error(`unknown dataset '${name}', expected one of ${DATASETS.join(", ")}`);
  const ds = name as DatasetName;
  let note = `data from ${dir}`;
  if (dir === undefined) {
    if (ds !== "fashion-mnist") throw new Error(`--data-dir is required for ${ds}`);
    const full = existsSync(DEBIAN_FASHION_MNIST);
    dir = full ? DEBIAN_FASHION_MNIST : EMBEDDED_FASHION_MNIST;
    note = full ? `full Fashion-MNIST from ${dir}` : `embedded Fashion-MNIST subset (10,000 train / 2,000 test) from ${dir}`;
  }
  if (!existsSync(dir)) throw new Error(`${dir}: no such data directory`);
  const cifar = ds === "cifar10" || ds === "cifar100";
  const train = cifar ? loadCifarSplit(dir, ds, "train") : loadMnistSplit(dir, "train", ds);
  const test = cifar ? loadCifarSplit(dir, ds, "test") : loadMnistSplit(dir, "test", ds);
  checkSplits(dir, train, test);
  return { train, test, dir, note };
}

/** Both splits must hold images of one shape and labels of one range; said at load, not after an epoch. */
function checkSplits(dir: string, train: ImageDataset, test: ImageDataset): void {
  const shape = (d: ImageDataset) => `${d.channels}x${d.height}x${d.width}`;
  if (shape(train) !== shape(test)) {
    throw new Error(`${dir}: ${train.name} has ${shape(train)} images but ${test.name} has ${shape(test)}: both splits need one image shape`);
  }
  if (train.count === 0 || test.count === 0) throw new Error(`${dir}: ${train.count === 0 ? train.name : test.name} holds no images`);
}
