import { Rng } from "../engine/index.js";
import { countMacs } from "../autograd/nn/layers.js";
import type { ImageDataset } from "../data/dataset.js";
import { evaluate, trainClassifier, type DataRecipe, type TrainRecipe } from "../train/fit.js";
import { Nb201Network } from "./nb201/network.js";
import type { ProgressSink } from "./progress.js";

/** `kshot train`'s defaults: the stand-alone recipe of the proof and of the rank study's ground truth. */
export const STANDALONE_RECIPE: TrainRecipe = { epochs: 2, batchSize: 64, lr: 0.05, momentum: 0.9, nesterov: false, weightDecay: 5e-4 };

export interface StandaloneData { train: ImageDataset; test: ImageDataset; recipe: DataRecipe }

export interface StandaloneResult {
  arch: string;
  testAcc: number;
  params: number;
  macs: number;
  seconds: number;
}

/**
 * Trains one NAS-Bench-201 cell from scratch (C, N as given; weights and data
 * order from `seed`, as `kshot train --seed` does) and evaluates it on the
 * test split.
 */
export async function trainStandalone(arch: string, net: { C: number; N: number }, data: StandaloneData, recipe: TrainRecipe,
  seed: number, sink: ProgressSink, label: string): Promise<StandaloneResult> {
  const t0 = performance.now();
  const { train, test } = data;
  const model = new Nb201Network(arch, { ...net, inChannels: train.channels, classes: train.classes }, new Rng(seed));
  try {
    await trainClassifier(model, train, recipe, data.recipe, new Rng(seed + 0x5eed), (p) =>
      sink.update(`${label}: epoch ${p.epoch}/${p.epochs} step ${p.step}/${p.steps} loss ${p.loss.toFixed(4)}`, p.step === p.steps && p.epoch === p.epochs));
    const { accuracy } = await evaluate(model, test, data.recipe);
    return {
      arch, testAcc: accuracy, params: model.numParameters(), macs: countMacs(model, [1, train.channels, train.height, train.width]),
      seconds: (performance.now() - t0) / 1000,
    };
  } finally {
    model.dispose();
  }
}
