import { Rng } from "../engine/index.js";
import { countMacs } from "../autograd/nn/layers.js";
import type { ImageDataset } from "../data/dataset.js";
import { evaluate, trainClassifier, type DataRecipe, type RmspropRecipe, type TrainRecipe } from "../train/fit.js";
import type { Module } from "../autograd/nn/module.js";
import { Nb201Network } from "./nb201/network.js";
import { parseNb201 } from "./nb201/arch.js";
import { Mbv2Network } from "./mbv2/network.js";
import { Mbv2Space, type Mbv2MacroName } from "./mbv2/space.js";
import type { ProgressSink } from "./progress.js";

/** `kshot train`'s defaults: the stand-alone recipe of the proof and of the rank study's ground truth. */
export const STANDALONE_RECIPE: TrainRecipe = { epochs: 2, batchSize: 64, lr: 0.05, momentum: 0.9, nesterov: false, weightDecay: 5e-4 };

/** Images per step of the main job's and the ablation's MobileNetV2 retraining (its learning rate scales with it). */
export const MBV2_RETRAIN_BATCH = 64;

/**
 * The paper's MobileNetV2 retraining recipe (EfficientNet's) scaled to a run
 * of `epochs` epochs of batches of `batchSize` (docs/mbv2-mini.md): RMSProp
 * with momentum 0.9, decay 0.9 and eps 1e-3; the learning rate 0.128 per
 * 1,024 images scaled linearly to the batch; weight decay 1e-5; the warm-up
 * (5 epochs) and the decay by 0.97 (every 2.4 epochs) kept as the same
 * shares of the run as in EfficientNet's 350 epochs; weight average 0.9999;
 * label smoothing 0.1.
 */
export function mbv2RetrainRecipe(epochs: number, batchSize: number): RmspropRecipe {
  return {
    optimizer: "rmsprop", epochs, batchSize, lr: (0.128 * batchSize) / 1024, momentum: 0.9, alpha: 0.9, eps: 1e-3, weightDecay: 1e-5,
    warmupEpochs: (epochs * 5) / 350, decayFactor: 0.97, decayEpochs: (epochs * 2.4) / 350, emaDecay: 0.9999, labelSmoothing: 0.1,
  };
}

/** Which network an architecture string names: a NAS-Bench-201 cell at C, N, or a MobileNetV2-space network. */
export type StandaloneNet = { space?: "nb201"; C: number; N: number } | { space: "mbv2"; macro?: Mbv2MacroName };

/** Throws one line saying what was expected where `arch` is not an architecture string of the space. */
export function checkArch(arch: string, space: "nb201" | "mbv2"): void {
  if (space === "nb201") parseNb201(arch);
  else new Mbv2Space({ inChannels: 1, height: 1, width: 1, classes: 1, searchWidth: arch.includes("|") }).parse(arch);
}

/** Builds the stand-alone network of `arch` for images of the given shape (a malformed string throws one line). */
export function buildStandalone(arch: string, net: StandaloneNet, shape: { channels: number; height: number; width: number; classes: number }, rng: Rng): Module {
  if (net.space === "mbv2") {
    const space = new Mbv2Space({ inChannels: shape.channels, height: shape.height, width: shape.width, classes: shape.classes, searchWidth: arch.includes("|"), macro: net.macro });
    return new Mbv2Network(space.layout(space.parse(arch)), rng);
  }
  return new Nb201Network(arch, { C: net.C, N: net.N, inChannels: shape.channels, classes: shape.classes }, rng);
}

export interface StandaloneData { train: ImageDataset; test: ImageDataset; recipe: DataRecipe }

export interface StandaloneResult {
  arch: string;
  testAcc: number;
  params: number;
  macs: number;
  seconds: number;
}

/**
 * Trains one network from scratch (weights and data order from `seed`, as
 * `kshot train --seed` does) and evaluates it on the test split.
 */
export async function trainStandalone(arch: string, net: StandaloneNet, data: StandaloneData, recipe: TrainRecipe,
  seed: number, sink: ProgressSink, label: string): Promise<StandaloneResult> {
  const t0 = performance.now();
  const { train, test } = data;
  const model = buildStandalone(arch, net, train, new Rng(seed));
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
