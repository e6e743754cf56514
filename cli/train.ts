import { ensureWritableFile } from "../data/files.js";
import { Rng, saveSafetensors } from "../engine/index.js";
import { countMacs } from "../autograd/nn/layers.js";
import { MBV2_MACROS, defaultMbv2Macro, type Mbv2MacroName } from "../nas/mbv2/space.js";
import { head } from "../data/dataset.js";
import { DATA_RECIPES, loadDataset, type DatasetName } from "../train/datasets.js";
import { evaluate, trainClassifier, type RmspropRecipe, type TrainRecipe } from "../train/fit.js";
import { STANDALONE_RECIPE, buildStandalone, checkArch, mbv2RetrainRecipe, type StandaloneNet } from "../nas/standalone.js";
import { UsageError, givenFlags, helpText, num, seedNum, optionalNum, parseFlags, refuseFlags, type FlagSpecs } from "./args.js";
import { backendFlag, gpuSummary, selectBackend, oversubscribeFlag, selectThreads, threadsFlag } from "./backend.js";
import { Progress } from "./progress.js";

const NB201_DEFAULT_ARCH = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|";
const MBV2_DEFAULT_ARCH = new Array(21).fill("k3e6").join(",");
const MBV2_DEFAULT_EPOCHS = 10;

export const trainFlags: FlagSpecs = {
  space: { type: "string", help: "nb201 (a NAS-Bench-201 cell, SGD recipe) | mbv2 (a MobileNetV2-space network, the paper's RMSProp recipe)", default: "nb201" },
  arch: { type: "string", help: `architecture string of the space (default nb201: ${NB201_DEFAULT_ARCH}; mbv2: every layer k3e6)` },
  C: { type: "string", help: "nb201: channels of the first stage", default: "8" },
  N: { type: "string", help: "nb201: cells per stage", default: "1" },
  macro: { type: "string", help: "mbv2: imagenet | mini (default: mini below 128 px; docs/mbv2-mini.md)" },
  dataset: { type: "string", help: "fashion-mnist | mnist | cifar10 | cifar100", default: "fashion-mnist" },
  "data-dir": { type: "string", help: "directory of the data files (Fashion-MNIST: Debian's path if installed, else the embedded subset)" },
  "train-limit": { type: "string", help: "train on the first N training images" },
  "test-limit": { type: "string", help: "evaluate on the first N test images" },
  epochs: { type: "string", help: `training epochs (default nb201 ${STANDALONE_RECIPE.epochs}, mbv2 ${MBV2_DEFAULT_EPOCHS})` },
  "batch-size": { type: "string", help: "images per step (the last short batch is kept)", default: String(STANDALONE_RECIPE.batchSize) },
  lr: { type: "string", help: `initial learning rate (default nb201 ${STANDALONE_RECIPE.lr}, cosine decay to 0; mbv2 0.128 x batch / 1024, staircase decay)` },
  momentum: { type: "string", help: "SGD or RMSProp momentum", default: String(STANDALONE_RECIPE.momentum) },
  nesterov: { type: "boolean", help: "nb201: Nesterov momentum" },
  "weight-decay": { type: "string", help: `weight decay on all parameters (default nb201 ${STANDALONE_RECIPE.weightDecay}, mbv2 1e-5)` },
  alpha: { type: "string", help: "mbv2: RMSProp's decay of the mean square (default 0.9)" },
  eps: { type: "string", help: "mbv2: RMSProp's eps, added outside the square root as PyTorch's (default 0.001)" },
  "warmup-epochs": { type: "string", help: "mbv2: linear warm-up (default 5/350 of the run, as EfficientNet's 5 of 350 epochs)" },
  "decay-every": { type: "string", help: "mbv2: epochs between learning-rate decays by 0.97 (default 2.4/350 of the run)" },
  "ema-decay": { type: "string", help: "mbv2: decay of the weight average used for evaluation, 0 for none (default 0.9999, with TensorFlow's num_updates rule)" },
  "label-smoothing": { type: "string", help: "mbv2: label smoothing (default 0.1)" },
  seed: { type: "string", help: "seed of initialisation and data order", default: "0" },
  out: { type: "string", help: "checkpoint path (safetensors)", default: "runs/train.safetensors" },
  backend: backendFlag,
  threads: threadsFlag,
  "threads-oversubscribe": oversubscribeFlag,
  json: { type: "boolean", help: "print a JSON summary as the last line of stdout" },
};

export const trainHelp = helpText("usage: kshot train [options]",
  "Trains one architecture stand-alone: a NAS-Bench-201 cell with SGD and a per-step cosine schedule, or\na MobileNetV2-space network with the paper's retraining recipe (RMSProp, warm-up, staircase decay,\nweight average). Evaluates it on the test split and saves a checkpoint.", trainFlags);

const MBV2_ONLY = ["macro", "alpha", "eps", "warmup-epochs", "decay-every", "ema-decay", "label-smoothing"];

/** The recipe the flags give for the space: its defaults, overridden flag by flag. */
function recipeFromFlags(cmd: string, f: Record<string, string | boolean | undefined>, space: "nb201" | "mbv2"): TrainRecipe {
  const epochs = num(cmd, "epochs", f.epochs ?? String(space === "mbv2" ? MBV2_DEFAULT_EPOCHS : STANDALONE_RECIPE.epochs), { integer: true, min: 1 });
  const batchSize = num(cmd, "batch-size", f["batch-size"], { integer: true, min: 1 });
  const momentum = num(cmd, "momentum", f.momentum, { min: 0, max: 1 });
  if (space === "nb201") {
    const recipe = {
      epochs, batchSize, momentum,
      lr: num(cmd, "lr", f.lr ?? String(STANDALONE_RECIPE.lr), { min: 0 }),
      nesterov: f.nesterov === true,
      weightDecay: num(cmd, "weight-decay", f["weight-decay"] ?? String(STANDALONE_RECIPE.weightDecay), { min: 0 }),
    };
    if (recipe.nesterov && recipe.momentum === 0) throw new UsageError(`${cmd}: --nesterov needs --momentum > 0`);
    return recipe;
  }
  if (momentum >= 1) throw new UsageError(`${cmd}: --momentum expects a number below 1 with RMSProp, received '${String(f.momentum)}'`);
  const d = mbv2RetrainRecipe(epochs, batchSize);
  const opt = (name: string, fallback: number, o: { min?: number; max?: number } = {}) => (f[name] === undefined ? fallback : num(cmd, name, f[name], o));
  const recipe: RmspropRecipe = {
    ...d, momentum,
    lr: opt("lr", d.lr, { min: 0 }),
    weightDecay: opt("weight-decay", d.weightDecay, { min: 0 }),
    alpha: opt("alpha", d.alpha, { min: 0, max: 0.999999 }),
    eps: opt("eps", d.eps, { min: 1e-12 }),
    warmupEpochs: opt("warmup-epochs", d.warmupEpochs!, { min: 0 }),
    decayEpochs: opt("decay-every", d.decayEpochs, { min: 1e-9 }),
    labelSmoothing: opt("label-smoothing", d.labelSmoothing!, { min: 0, max: 0.999999 }),
  };
  const ema = opt("ema-decay", d.emaDecay!, { min: 0, max: 0.999999999 });
  if (ema > 0) recipe.emaDecay = ema;
  else delete recipe.emaDecay;
  if (recipe.warmupEpochs! > epochs) throw new UsageError(`${cmd}: --warmup-epochs ${recipe.warmupEpochs} exceeds --epochs ${epochs}`);
  return recipe;
}

export async function trainCommand(argv: string[]): Promise<void> {
  const cmd = "kshot train";
  const f = parseFlags(cmd, argv, trainFlags);
  if (f.help) { process.stdout.write(trainHelp); return; }
  const space = String(f.space);
  if (space !== "nb201" && space !== "mbv2") throw new UsageError(`${cmd}: --space expects nb201 or mbv2, received '${space}'`);
  const given = givenFlags(argv);
  if (space === "nb201") refuseFlags(cmd, given, MBV2_ONLY, "--space nb201");
  else refuseFlags(cmd, given, ["C", "N", "nesterov"], "--space mbv2");
  const arch = String(f.arch ?? (space === "mbv2" ? MBV2_DEFAULT_ARCH : NB201_DEFAULT_ARCH));
  const macro = f.macro === undefined ? undefined : String(f.macro);
  if (macro !== undefined && !Object.hasOwn(MBV2_MACROS, macro)) throw new UsageError(`${cmd}: --macro expects ${Object.keys(MBV2_MACROS).join(" or ")}, received '${macro}'`);
  const C = num(cmd, "C", f.C, { integer: true, min: 1 });
  const N = num(cmd, "N", f.N, { integer: true, min: 1 });
  try { checkArch(arch, space); } catch (e) { throw new UsageError(`${cmd}: ${(e as Error).message}`); }
  const recipe = recipeFromFlags(cmd, f, space);
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
  const mbv2Macro = (macro ?? defaultMbv2Macro(train.height)) as Mbv2MacroName;
  const net: StandaloneNet = space === "mbv2" ? { space, macro: mbv2Macro } : { C, N };
  const model = buildStandalone(arch, net, train, new Rng(seed));
  const dataRng = new Rng(seed + 0x5eed);
  const macs = countMacs(model, [1, train.channels, train.height, train.width]);
  const what = space === "mbv2" ? `mbv2 (${mbv2Macro} macro)` : `nb201 C=${C} N=${N}`;
  progress.log(`kshot train: ${what}, ${model.numParameters()} parameters, ${macs} MACs per image; ${train.count} training and ${test.count} test images, seed ${seed}, ${backend} backend, ${threads} CPU thread(s)`);

  const reports = await trainClassifier(model, train, recipe, dataRecipe, dataRng, (p) => {
    progress.update(`epoch ${p.epoch}/${p.epochs} step ${p.step}/${p.steps} loss ${p.loss.toFixed(4)} lr ${p.lr.toFixed(5)}`, p.step === p.steps);
  });
  const result = await evaluate(model, test, dataRecipe);
  await saveSafetensors(out, model.stateDict(), {
    ...(space === "mbv2" ? { format: "kshot-mbv2", macro: mbv2Macro } : { format: "kshot-nb201", C: String(C), N: String(N) }),
    arch, dataset: String(f.dataset), in_channels: String(train.channels), height: String(train.height), width: String(train.width),
    classes: String(train.classes), seed: String(seed), test_acc: String(result.accuracy), recipe: JSON.stringify(recipe),
  });
  const gpu = gpuSummary();
  if (gpu !== null) progress.log(`${cmd}: ${gpu}`);
  for (const r of reports) process.stdout.write(`epoch ${r.epoch}: train loss ${r.trainLoss.toFixed(4)}, train acc ${r.trainAcc.toFixed(4)}, ${r.seconds.toFixed(1)} s\n`);
  process.stdout.write(`test accuracy ${result.accuracy.toFixed(4)} on ${test.count} images; checkpoint ${out}\n`);
  if (f.json) {
    process.stdout.write(`${JSON.stringify({
      space, arch, ...(space === "mbv2" ? { macro: mbv2Macro } : { C, N }), dataset: f.dataset, seed, backend, recipe, params: model.numParameters(), macs,
      trainImages: train.count, testImages: test.count,
      testAcc: result.accuracy, testLoss: result.loss,
      trainLoss: reports.map((r) => r.trainLoss), trainAcc: reports.map((r) => r.trainAcc), seconds: reports.map((r) => r.seconds),
      checkpoint: out,
    })}\n`);
  }
}
