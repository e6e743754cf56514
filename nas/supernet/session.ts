import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { Rng, parseSafetensors, saveSafetensors, type Tensor } from "../../engine/index.js";
import { splitIndices } from "../../data/batches.js";
import { head, subset, type ImageDataset } from "../../data/dataset.js";
import { DATA_RECIPES, loadDataset, type DatasetName } from "../../train/datasets.js";
import { DivergedError, type DataRecipe } from "../../train/fit.js";
import { Nb201Space } from "../nb201/space.js";
import { Mbv2Space } from "../mbv2/space.js";
import { oneHotSize, type SearchSpace } from "../space.js";
import { Mbv2Supernet } from "./mbv2_supernet.js";
import type { Supernet } from "./supernet.js";
import { Nb201Supernet, kshotWeights } from "./nb201_supernet.js";
import { SimplexNet } from "./simplex_net.js";
import { SupernetTrainer, type SupernetEpochReport, type SupernetOptions, type SupernetStepReport } from "./trainer.js";

/** Everything that defines a supernet run; stored in its checkpoints, so a resume needs nothing else. */
export interface SupernetConfig extends SupernetOptions {
  space: "nb201" | "mbv2";
  /** mbv2: search the 24 width multipliers too. */
  searchWidth?: boolean;
  C: number;
  N: number;
  dataset: DatasetName;
  dataDir?: string;
  trainLimit?: number;
  /** Images held out of the training images for path evaluation (the paper searches on such a split). */
  valSize: number;
  hidden: number;
  seed: number;
}

export interface SupernetSession {
  config: SupernetConfig;
  space: SearchSpace;
  supernet: Supernet;
  simplex: SimplexNet;
  trainer: SupernetTrainer;
  train: ImageDataset;
  val: ImageDataset;
  recipe: DataRecipe;
  dataNote: string;
}

export interface SupernetModels { space: SearchSpace; supernet: Supernet; simplex: SimplexNet }

type ImageShape = Pick<ImageDataset, "channels" | "height" | "width" | "classes">;

/**
 * The supernet's and simplex-net's tensors under one naming ("supernet.*",
 * "simplex.*"), shared by checkpoints, the evaluator pool's arena and its
 * workers.
 */
export function modelState(m: Pick<SupernetModels, "supernet" | "simplex">): Map<string, Tensor> {
  return new Map<string, Tensor>([
    ...[...m.supernet.stateDict()].map(([n, t]) => [`supernet.${n}`, t] as const),
    ...[...m.simplex.stateDict()].map(([n, t]) => [`simplex.${n}`, t] as const),
  ]);
}

/** The search space of a config for images of the given shape (no weights: cheap). */
export function buildSearchSpace(config: SupernetConfig, data: ImageShape): SearchSpace {
  if (config.space === "nb201") return new Nb201Space({ C: config.C, N: config.N, inChannels: data.channels, classes: data.classes, height: data.height, width: data.width });
  return new Mbv2Space({ inChannels: data.channels, height: data.height, width: data.width, classes: data.classes, searchWidth: config.searchWidth ?? false });
}

/** The space, supernet and simplex-net of a config for images of the given shape, initialised from the seed. */
export function buildSupernetModels(config: SupernetConfig, data: ImageShape): SupernetModels {
  const net = { C: config.C, N: config.N, inChannels: data.channels, classes: data.classes };
  const initRng = new Rng(config.seed);
  const space = buildSearchSpace(config, data);
  const supernet: Supernet = space instanceof Mbv2Space
    ? new Mbv2Supernet(space, kshotWeights(config.K), initRng)
    : new Nb201Supernet(net, kshotWeights(config.K), initRng);
  const simplex = new SimplexNet(oneHotSize(space, "op"), oneHotSize(space, "width"), config.K, initRng, config.hidden);
  return { space, supernet, simplex };
}

/** Builds a session from its config: data split, supernet and simplex-net from the seed, the trainer. */
export function buildSupernetSession(config: SupernetConfig): SupernetSession {
  const data = loadDataset(config.dataset, config.dataDir);
  const all = head(data.train, config.trainLimit);
  const split = splitIndices(all.count, config.valSize, new Rng(config.seed + 0x7a1));
  const train = subset(all, split.train, `${all.name} (train split)`);
  const val = subset(all, split.val, `${all.name} (validation split)`);
  const { space, supernet, simplex } = buildSupernetModels(config, all);
  const recipe = DATA_RECIPES[config.dataset];
  const trainer = new SupernetTrainer(space, supernet, simplex, train, recipe, config, new Rng(config.seed + 0x5eed));
  return { config, space, supernet, simplex, trainer, train, val, recipe, dataNote: data.note };
}

/** Frees a session's tensors: supernet, simplex-net and both optimisers' state (a study trains many runs in one process). */
export function disposeSupernetSession(session: SupernetSession): void {
  session.trainer.optTheta.dispose();
  session.trainer.optSimplex.dispose();
  session.supernet.dispose();
  session.simplex.dispose();
}

const META_KEY = "kshot_supernet";

/** One file per run: supernet, simplex-net and both optimisers' tensors; config, progress and RNG state as metadata. */
export async function saveSupernetCheckpoint(path: string, session: SupernetSession): Promise<void> {
  const tensors = modelState(session);
  for (const [n, t] of session.trainer.optTheta.stateTensors()) tensors.set(`opt_supernet.${n}`, t);
  for (const [n, t] of session.trainer.optSimplex.stateTensors()) tensors.set(`opt_simplex.${n}`, t);
  const meta = { config: session.config, epoch: session.trainer.epoch, globalStep: session.trainer.globalStep, rng: session.trainer.rng.getState() };
  await saveSafetensors(path, tensors, { [META_KEY]: JSON.stringify(meta) });
}

interface CheckpointMeta { config: SupernetConfig; epoch: number; globalStep: number; rng: (number | null)[] }

/** The checkpoint's metadata, checked field by field: a damaged one is an error naming the file and the field. */
function checkedMeta(path: string, raw: string): CheckpointMeta {
  const fail = (what: string): never => { throw new Error(`${path}: damaged kshot supernet metadata: ${what}`); };
  let meta: Record<string, unknown>;
  try {
    meta = JSON.parse(raw) as Record<string, unknown>;
  } catch (e) {
    return fail(`not JSON (${(e as Error).message})`);
  }
  if (typeof meta !== "object" || meta === null) fail("not an object");
  const config = meta.config as Record<string, unknown> | undefined;
  if (typeof config !== "object" || config === null) fail("no 'config'");
  const int = (o: Record<string, unknown>, key: string, where: string, min = 0) => {
    const v = o[key];
    if (!(typeof v === "number" && Number.isInteger(v) && v >= min)) fail(`${where}${key} is ${JSON.stringify(v)}, expected an integer >= ${min}`);
  };
  if (config!.simplexBatch === undefined) fail("no config.simplexBatch: written by a kshot from before the simplex-net had its own batch (and another step order); train a new run");
  for (const k of ["K", "C", "N", "epochs", "batchSize", "m", "simplexBatch", "hidden"]) int(config!, k, "config.", 1);
  for (const k of ["warmupEpochs", "valSize", "seed"]) int(config!, k, "config.");
  for (const k of ["lr", "simplexLr", "momentum", "weightDecay", "alpha", "tau", "rcThreshold"]) {
    if (!(typeof config![k] === "number" && Number.isFinite(config![k]))) fail(`config.${k} is ${JSON.stringify(config![k])}, expected a number`);
  }
  if (config!.space !== "nb201" && config!.space !== "mbv2") fail(`config.space is ${JSON.stringify(config!.space)}, expected "nb201" or "mbv2"`);
  if (typeof config!.dataset !== "string") fail(`config.dataset is ${JSON.stringify(config!.dataset)}, expected a data set name`);
  if (typeof config!.mode !== "string") fail(`config.mode is ${JSON.stringify(config!.mode)}, expected a mode`);
  int(meta, "epoch", "");
  int(meta, "globalStep", "");
  if (!Array.isArray(meta.rng)) fail(`rng is ${JSON.stringify(meta.rng)}, expected the generator's state`);
  return meta as unknown as CheckpointMeta;
}

/** A checkpoint's checked metadata and its tensors (all finite, or an error naming the file and the tensor). */
function readCheckpoint(path: string, bytes: Uint8Array = readFileSync(path)): { meta: CheckpointMeta; tensors: Map<string, Tensor> } {
  const { tensors, metadata } = parseSafetensors(bytes, path);
  const raw = metadata[META_KEY];
  if (raw === undefined) throw new Error(`${path}: not a kshot supernet checkpoint (no '${META_KEY}' metadata)`);
  const meta = checkedMeta(path, raw);
  for (const [name, t] of tensors) {
    if (t.dtype !== "float32") continue;
    let bad = 0;
    for (const v of t.dataSync()) if (!Number.isFinite(v)) bad++;
    if (bad > 0) throw new Error(`${path}: ${name} holds ${bad} non-finite value(s) (NaN or infinity); the run had diverged before this checkpoint`);
  }
  return { meta, tensors };
}

/**
 * What evaluating paths needs of a checkpoint's bytes (read or downloaded
 * by the caller; errors name `source`), without its data or optimiser: the run's config and the supernet and simplex-net tensors,
 * named as in EvaluatorPool's arena ("supernet.*", "simplex.*"). The caller
 * disposes the tensors.
 */
export function readSupernetWeights(bytes: Uint8Array, source: string): { config: SupernetConfig; state: Map<string, Tensor> } {
  const { meta, tensors } = readCheckpoint(source, bytes);
  const state = new Map<string, Tensor>();
  for (const [n, t] of tensors) {
    if (n.startsWith("supernet.") || n.startsWith("simplex.")) state.set(n, t);
    else t.dispose();
  }
  return { config: meta.config, state };
}

/**
 * Rebuilds a run from a checkpoint, exactly where it stopped. To resume
 * training it must hold the supernet optimiser's state (evaluation does not
 * need it).
 */
export function loadSupernetCheckpoint(path: string, o: { resume?: boolean; dataDir?: string } = {}): SupernetSession {
  const { meta, tensors } = readCheckpoint(path);
  // the data directory is recorded absolute; one that moved or is gone can be given again (the same data, or the split differs)
  if (o.dataDir !== undefined) meta.config.dataDir = resolve(o.dataDir);
  else if (meta.config.dataDir !== undefined && !existsSync(meta.config.dataDir)) {
    throw new Error(`${path} was trained on the data in ${meta.config.dataDir}, which is gone; give the same data's directory with --data-dir`);
  }
  if (o.resume && meta.epoch > 0 && ![...tensors.keys()].some((n) => n.startsWith("opt_supernet."))) {
    throw new Error(`${path}: no optimiser state (opt_supernet.*) after ${meta.epoch} epoch(s): a resumed run could not continue exactly; start a new run instead`);
  }
  const session = buildSupernetSession(meta.config);
  const part = (prefix: string) => new Map([...tensors].filter(([n]) => n.startsWith(prefix)).map(([n, t]) => [n.slice(prefix.length), t]));
  try {
    session.supernet.loadStateDict(part("supernet."));
    session.simplex.loadStateDict(part("simplex."));
  } catch (e) {
    const c = meta.config;
    throw new Error(`${path}: its tensors do not fit the run its metadata describes (space ${c.space}, K=${c.K}, C=${c.C}, N=${c.N}, hidden ${c.hidden}): ${(e as Error).message}`);
  }
  session.trainer.optTheta.loadState(part("opt_supernet."));
  session.trainer.optSimplex.loadState(part("opt_simplex."));
  for (const t of tensors.values()) t.dispose();
  session.trainer.epoch = meta.epoch;
  session.trainer.globalStep = meta.globalStep;
  session.trainer.rng.setState(meta.rng);
  return session;
}

/** Trains the remaining epochs, writing the checkpoint after every one. */
export async function continueSupernetTraining(session: SupernetSession, checkpoint: string,
  onStep?: (r: SupernetStepReport) => void, onEpoch?: (r: SupernetEpochReport) => void): Promise<SupernetEpochReport[]> {
  const reports: SupernetEpochReport[] = [];
  while (session.trainer.epoch < session.config.epochs) {
    const done = session.trainer.epoch;
    let r: SupernetEpochReport;
    try {
      r = await session.trainer.runEpoch(onStep);
    } catch (e) {
      if (e instanceof DivergedError) throw new Error(`${e.message}; ${checkpoint} ${reports.length > 0 ? `keeps epoch ${done}, the last good one` : "was not written by this run"}`);
      throw e;
    }
    await saveSupernetCheckpoint(checkpoint, session);
    reports.push(r);
    onEpoch?.(r);
  }
  return reports;
}
