import { type Rng, tidy } from "../engine/index.js";
import { argMax, crossEntropy, noGrad } from "../autograd/index.js";
import type { Module } from "../autograd/nn/module.js";
import { SGD } from "../autograd/optim/sgd.js";
import { RMSprop } from "../autograd/optim/rmsprop.js";
import { cosineLr, stepDecayLr } from "../autograd/optim/schedule.js";
import { WeightAverage } from "../autograd/optim/ema.js";
import { batchCount, batches } from "../data/batches.js";
import type { ImageDataset } from "../data/dataset.js";

/** Per-channel normalisation and augmentation of a data set. */
export interface DataRecipe {
  mean: readonly number[];
  std: readonly number[];
  cropPadding?: number;
  flip?: boolean;
}

interface CommonRecipe {
  epochs: number;
  batchSize: number;
  lr: number;
  weightDecay: number;
  /** Linear warm-up before the schedule. */
  warmupEpochs?: number;
  labelSmoothing?: number;
  /** Evaluate (and save) an exponential moving average of the weights with this decay (WeightAverage). */
  emaDecay?: number;
}

/** SGD (momentum, Nesterov) with a per-step cosine decay to 0: the NAS-Bench-201 recipe. */
export interface SgdRecipe extends CommonRecipe { optimizer?: "sgd"; momentum: number; nesterov: boolean }

/** RMSProp (PyTorch's) with a staircase decay by `decayFactor` every `decayEpochs`: the paper's MobileNetV2 retraining recipe. */
export interface RmspropRecipe extends CommonRecipe { optimizer: "rmsprop"; momentum: number; alpha: number; eps: number; decayFactor: number; decayEpochs: number }

export type TrainRecipe = SgdRecipe | RmspropRecipe;

/** A non-finite loss: training stops there rather than carry NaN weights on. */
export class DivergedError extends Error {
  constructor(loss: number, epoch: number, step: number) {
    super(`training diverged: loss ${loss} at epoch ${epoch}, step ${step} (a lower learning rate may help)`);
  }
}

export interface EpochReport { epoch: number; trainLoss: number; trainAcc: number; seconds: number }

export interface StepProgress { epoch: number; epochs: number; step: number; steps: number; loss: number; lr: number }

/** The recipe's optimiser over the model's parameters, and its learning rate at a 0-based step. */
function optimiserOf(model: Module, recipe: TrainRecipe, stepsPerEpoch: number): { opt: SGD | RMSprop; lrAt: (step: number) => number } {
  const warmupSteps = Math.round((recipe.warmupEpochs ?? 0) * stepsPerEpoch);
  if (recipe.optimizer === "rmsprop") {
    const { lr, alpha, eps, momentum, weightDecay } = recipe;
    const decaySteps = Math.max(1, Math.round(recipe.decayEpochs * stepsPerEpoch));
    return {
      opt: new RMSprop(model.parameters(), { lr, alpha, eps, momentum, weightDecay }),
      lrAt: (step) => stepDecayLr(lr, step, { warmupSteps, decaySteps, factor: recipe.decayFactor }),
    };
  }
  const total = stepsPerEpoch * recipe.epochs;
  return {
    opt: new SGD(model.parameters(), { lr: recipe.lr, momentum: recipe.momentum, nesterov: recipe.nesterov, weightDecay: recipe.weightDecay }),
    lrAt: (step) => cosineLr(recipe.lr, step, total, { warmupSteps }),
  };
}

/**
 * Trains a classifier with the recipe's optimiser (weight decay on every
 * parameter) and learning-rate schedule, set per step. The data order comes
 * from `rng`; the last short batch is kept. With `emaDecay` the model ends
 * holding the moving average of its weights, which the evaluation and the
 * checkpoint then use.
 */
export async function trainClassifier(model: Module, data: ImageDataset, recipe: TrainRecipe, dataRecipe: DataRecipe, rng: Rng,
  onStep?: (p: StepProgress) => void): Promise<EpochReport[]> {
  for (const [k, v] of Object.entries({ epochs: recipe.epochs, batchSize: recipe.batchSize })) {
    if (!(Number.isInteger(v) && v > 0)) throw new Error(`train: expected a positive integer ${k}, received ${v}`);
  }
  const steps = batchCount(data.count, { batchSize: recipe.batchSize });
  const { opt, lrAt } = optimiserOf(model, recipe, steps);
  const average = recipe.emaDecay !== undefined ? new WeightAverage(model, recipe.emaDecay) : null;
  const reports: EpochReport[] = [];
  let globalStep = 0;
  model.train();
  try {
    for (let epoch = 1; epoch <= recipe.epochs; epoch++) {
      const t0 = performance.now();
      let lossSum = 0, correct = 0, seen = 0, step = 0;
      for (const { x, y, labels } of batches(data, { batchSize: recipe.batchSize, rng, ...dataRecipe })) {
        opt.lr = lrAt(globalStep);
        const [l, pred] = tidy(() => {
          const logits = model.forward(x);
          const l = crossEntropy(logits, y, { labelSmoothing: recipe.labelSmoothing ?? 0 });
          l.backward();
          opt.step();
          opt.zeroGrad();
          average?.update();
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
    average?.copyToModel();
  } finally {
    opt.dispose();
    average?.dispose();
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
