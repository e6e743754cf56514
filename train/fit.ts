import { type Rng, tidy } from "../engine/index.js";
import { argMax, crossEntropy, noGrad } from "../autograd/index.js";
import type { Module } from "../autograd/nn/module.js";
import { SGD } from "../autograd/optim/sgd.js";
import { cosineLr } from "../autograd/optim/schedule.js";
import { batchCount, batches } from "../data/batches.js";
import type { ImageDataset } from "../data/dataset.js";

/** Per-channel normalisation and augmentation of a data set. */
export interface DataRecipe {
  mean: readonly number[];
  std: readonly number[];
  cropPadding?: number;
  flip?: boolean;
}

export interface TrainRecipe {
  epochs: number;
  batchSize: number;
  lr: number;
  momentum: number;
  nesterov: boolean;
  weightDecay: number;
  /** Linear warm-up before the per-step cosine decay to 0. */
  warmupEpochs?: number;
  labelSmoothing?: number;
}

/** A non-finite loss: training stops there rather than carry NaN weights on. */
export class DivergedError extends Error {
  constructor(loss: number, epoch: number, step: number) {
    super(`training diverged: loss ${loss} at epoch ${epoch}, step ${step} (a lower learning rate may help)`);
  }
}

export interface EpochReport { epoch: number; trainLoss: number; trainAcc: number; seconds: number }

export interface StepProgress { epoch: number; epochs: number; step: number; steps: number; loss: number; lr: number }

/**
 * Trains a classifier with SGD (momentum, Nesterov, weight decay on every
 * parameter) and a learning rate decayed per step by a cosine to 0. The data
 * order comes from `rng`; the last short batch is kept.
 */
export async function trainClassifier(model: Module, data: ImageDataset, recipe: TrainRecipe, dataRecipe: DataRecipe, rng: Rng,
  onStep?: (p: StepProgress) => void): Promise<EpochReport[]> {
  for (const [k, v] of Object.entries({ epochs: recipe.epochs, batchSize: recipe.batchSize })) {
    if (!(Number.isInteger(v) && v > 0)) throw new Error(`train: expected a positive integer ${k}, received ${v}`);
  }
  const opt = new SGD(model.parameters(), { lr: recipe.lr, momentum: recipe.momentum, nesterov: recipe.nesterov, weightDecay: recipe.weightDecay });
  const steps = batchCount(data.count, { batchSize: recipe.batchSize });
  const total = steps * recipe.epochs;
  const warmupSteps = Math.round((recipe.warmupEpochs ?? 0) * steps);
  const reports: EpochReport[] = [];
  let globalStep = 0;
  model.train();
  for (let epoch = 1; epoch <= recipe.epochs; epoch++) {
    const t0 = performance.now();
    let lossSum = 0, correct = 0, seen = 0, step = 0;
    for (const { x, y, labels } of batches(data, { batchSize: recipe.batchSize, rng, ...dataRecipe })) {
      opt.lr = cosineLr(recipe.lr, globalStep, total, { warmupSteps });
      const [l, pred] = tidy(() => {
        const logits = model.forward(x);
        const l = crossEntropy(logits, y, { labelSmoothing: recipe.labelSmoothing ?? 0 });
        l.backward();
        opt.step();
        opt.zeroGrad();
        return [l, argMax(logits)];
      });
      // the step's only reads from the backend (asynchronous on a GPU)
      const loss = (await l.data())[0]!;
      const hits = countHits(await pred.data() as Int32Array, labels);
      for (const t of [l, pred, x, y]) t.dispose();
      if (!Number.isFinite(loss)) throw new DivergedError(loss, epoch, step + 1);
      lossSum += loss * y.shape[0]!;
      correct += hits;
      seen += y.shape[0]!;
      step++;
      globalStep++;
      onStep?.({ epoch, epochs: recipe.epochs, step, steps, loss, lr: opt.lr });
    }
    reports.push({ epoch, trainLoss: lossSum / seen, trainAcc: correct / seen, seconds: (performance.now() - t0) / 1000 });
  }
  return reports;
}

function countHits(pred: Int32Array, labels: Int32Array): number {
  let n = 0;
  for (let i = 0; i < pred.length; i++) if (pred[i] === labels[i]) n++;
  return n;
}

/** Top-1 accuracy and mean loss with the model in evaluation mode (running BN statistics). */
export async function evaluate(model: Module, data: ImageDataset, dataRecipe: DataRecipe, batchSize = 256): Promise<{ accuracy: number; loss: number }> {
  model.eval();
  let correct = 0, lossSum = 0;
  try {
    for (const { x, y, labels } of batches(data, { batchSize, mean: dataRecipe.mean, std: dataRecipe.std })) {
      const [l, pred] = noGrad(() => tidy(() => {
        const logits = model.forward(x);
        return [crossEntropy(logits, y), argMax(logits)];
      }));
      lossSum += (await l.data())[0]! * y.shape[0]!;
      correct += countHits(await pred.data() as Int32Array, labels);
      for (const t of [l, pred, x, y]) t.dispose();
    }
  } finally {
    model.train();
  }
  return { accuracy: correct / data.count, loss: lossSum / data.count };
}
