import { ensureWritableFile } from "../data/files.js";
import { Rng, saveSafetensors } from "../engine/index.js";
import { countMacs } from "../autograd/nn/layers.js";
import { Nb201Network } from "../nas/nb201/network.js";
import { parseNb201 } from "../nas/nb201/arch.js";
import { head } from "../data/dataset.js";
import { DATA_RECIPES, loadDataset, type DatasetName } from "../train/datasets.js";
import { evaluate, trainClassifier } from "../train/fit.js";
import { STANDALONE_RECIPE } from "../nas/standalone.js";
import { UsageError, helpText, num, seedNum, optionalNum, parseFlags, type FlagSpecs } from "./args.js";
import { backendFlag, gpuSummary, selectBackend, oversubscribeFlag, selectThreads, threadsFlag } from "./backend.js";
import { Progress } from "./progress.js";

export const trainFlags: FlagSpecs = {
  arch: { type: "string", help: "NAS-Bench-201 architecture string", default: "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|" },
  C: { type: "string", help: "channels of the first stage", default: "8" },
  N: { type: "string", help: "cells per stage", default: "1" },
  dataset: { type: "string", help: "fashion-mnist | mnist | cifar10 | cifar100", default: "fashion-mnist" },
  "data-dir": { type: "string", help: "directory of the data files (Fashion-MNIST: Debian's path if installed, else the embedded subset)" },
  "train-limit": { type: "string", help: "train on the first N training images" },
  "test-limit": { type: "string", help: "evaluate on the first N test images" },
  epochs: { type: "string", help: "training epochs", default: String(STANDALONE_RECIPE.epochs) },
  "batch-size": { type: "string", help: "images per step (the last short batch is kept)", default: String(STANDALONE_RECIPE.batchSize) },
  lr: { type: "string", help: "initial learning rate, decayed per step by a cosine to 0", default: String(STANDALONE_RECIPE.lr) },
  momentum: { type: "string", help: "SGD momentum", default: String(STANDALONE_RECIPE.momentum) },
  nesterov: { type: "boolean", help: "Nesterov momentum" },
  "weight-decay": { type: "string", help: "weight decay on all parameters", default: String(STANDALONE_RECIPE.weightDecay) },
  seed: { type: "string", help: "seed of initialisation and data order", default: "0" },
  out: { type: "string", help: "checkpoint path (safetensors)", default: "runs/train.safetensors" },
  backend: backendFlag,
  threads: threadsFlag,
  "threads-oversubscribe": oversubscribeFlag,
  json: { type: "boolean", help: "print a JSON summary as the last line of stdout" },
};

export const trainHelp = helpText("usage: kshot train [options]",
  "Trains one NAS-Bench-201 architecture stand-alone with SGD and a per-step cosine schedule,\nevaluates it on the test split, and saves a checkpoint.", trainFlags);

export async function trainCommand(argv: string[]): Promise<void> {
  const cmd = "kshot train";
  const f = parseFlags(cmd, argv, trainFlags);
  if (f.help) { process.stdout.write(trainHelp); return; }
  const arch = String(f.arch);
  try { parseNb201(arch); } catch (e) { throw new UsageError(`${cmd}: ${(e as Error).message}`); }
  const C = num(cmd, "C", f.C, { integer: true, min: 1 });
  const N = num(cmd, "N", f.N, { integer: true, min: 1 });
  const recipe = {
    epochs: num(cmd, "epochs", f.epochs, { integer: true, min: 1 }),
    batchSize: num(cmd, "batch-size", f["batch-size"], { integer: true, min: 1 }),
    lr: num(cmd, "lr", f.lr, { min: 0 }),
    momentum: num(cmd, "momentum", f.momentum, { min: 0, max: 1 }),
    nesterov: f.nesterov === true,
    weightDecay: num(cmd, "weight-decay", f["weight-decay"], { min: 0 }),
  };
  if (recipe.nesterov && recipe.momentum === 0) throw new UsageError(`${cmd}: --nesterov needs --momentum > 0`);
  const seed = seedNum(cmd, f.seed);
  const trainLimit = optionalNum(cmd, "train-limit", f["train-limit"], { integer: true, min: 1 });
  const testLimit = optionalNum(cmd, "test-limit", f["test-limit"], { integer: true, min: 1 });
  const out = String(f.out);
  ensureWritableFile(out, "--out"); // before the work, not after
  const progress = new Progress();
  const backend = await selectBackend(cmd, f.backend);
  const threads = selectThreads(cmd, f.threads, f["threads-oversubscribe"] === true);

  const data = loadDataset(String(f.dataset), f["data-dir"] as string | undefined);
  progress.log(`kshot train: ${data.note}`);
  const train = head(data.train, trainLimit), test = head(data.test, testLimit);
  const dataRecipe = DATA_RECIPES[f.dataset as DatasetName];
  const initRng = new Rng(seed);
  const dataRng = new Rng(seed + 0x5eed);
  const model = new Nb201Network(arch, { C, N, inChannels: train.channels, classes: train.classes }, initRng);
  const macs = countMacs(model, [1, train.channels, train.height, train.width]);
  progress.log(`kshot train: ${model.numParameters()} parameters, ${macs} MACs per image; ${train.count} training and ${test.count} test images, seed ${seed}, ${backend} backend, ${threads} CPU thread(s)`);

  const reports = await trainClassifier(model, train, recipe, dataRecipe, dataRng, (p) => {
    progress.update(`epoch ${p.epoch}/${p.epochs} step ${p.step}/${p.steps} loss ${p.loss.toFixed(4)} lr ${p.lr.toFixed(5)}`, p.step === p.steps);
  });
  const result = await evaluate(model, test, dataRecipe);
  await saveSafetensors(out, model.stateDict(), {
    format: "kshot-nb201", arch, C: String(C), N: String(N), dataset: String(f.dataset),
    in_channels: String(train.channels), classes: String(train.classes), seed: String(seed), test_acc: String(result.accuracy),
  });
  const gpu = gpuSummary();
  if (gpu !== null) progress.log(`${cmd}: ${gpu}`);
  for (const r of reports) process.stdout.write(`epoch ${r.epoch}: train loss ${r.trainLoss.toFixed(4)}, train acc ${r.trainAcc.toFixed(4)}, ${r.seconds.toFixed(1)} s\n`);
  process.stdout.write(`test accuracy ${result.accuracy.toFixed(4)} on ${test.count} images; checkpoint ${out}\n`);
  if (f.json) {
    process.stdout.write(`${JSON.stringify({
      arch, C, N, dataset: f.dataset, seed, backend, params: model.numParameters(), macs,
      trainImages: train.count, testImages: test.count,
      testAcc: result.accuracy, testLoss: result.loss,
      trainLoss: reports.map((r) => r.trainLoss), trainAcc: reports.map((r) => r.trainAcc), seconds: reports.map((r) => r.seconds),
      checkpoint: out,
    })}\n`);
  }
}
