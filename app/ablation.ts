import { appendFileSync, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Rng } from "../engine/index.js";
import { ensureWritableDir, readJournal } from "../data/files.js";
import { differingFields } from "../data/run_dir.js";
import { head } from "../data/dataset.js";
import { DATA_RECIPES, EMBEDDED_FASHION_MNIST, loadDataset } from "../train/datasets.js";
import { Mbv2Space } from "../nas/mbv2/space.js";
import { sampleFunctions } from "../nas/space.js";
import type { ProgressSink } from "../nas/progress.js";
import { MBV2_RETRAIN_BATCH, mbv2RetrainRecipe, type StandaloneResult } from "../nas/standalone.js";
import { meanSd, type MeanSd } from "../nas/study/statistics.js";
import { writeJson } from "../nas/study/run.js";
import type { SupernetMode } from "../nas/supernet/path_code.js";
import { StandalonePool } from "../workers/standalone_pool.js";
import { loadSupernetCheckpoint } from "../nas/supernet/session.js";
import { widthCodeSimilarity } from "../nas/supernet/width_codes.js";
import { shareDataset } from "../workers/shared_state.js";
import { runMainJob } from "./main_job.js";

/** One row of the paper's Table 5: a supernet method, with or without width search and r_c. */
export interface AblationRow { name: string; mode: SupernetMode; searchWidth: boolean; rcAlpha?: number }

/** The rows of Table 5 (MobileNetV2 space, one FLOPs bound), in its order. */
export const TABLE5_ROWS: readonly AblationRow[] = [
  { name: "one-shot, operations (single path)", mode: "oneshot", searchWidth: false },
  { name: "one-shot, operations and widths", mode: "oneshot", searchWidth: true },
  { name: "K-shot, lambda = 1/K", mode: "fixed", searchWidth: false },
  { name: "K-shot, simplex-net", mode: "kshot", searchWidth: false },
  { name: "K-shot, simplex-net, widths, without r_c", mode: "kshot", searchWidth: true, rcAlpha: 0 },
  { name: "K-shot, simplex-net, widths, with r_c", mode: "kshot", searchWidth: true, rcAlpha: 1 },
];

/** Everything an ablation's results depend on; written before the first training, and a resume must match it. */
export interface AblationProtocol {
  seed: number;
  /** K of the K-shot rows (one-shot rows: 1). */
  K: number;
  /** Supernet budget, the same for every row. */
  epochs: number; trainLimit: number; valSize: number; batchSize: number; lr: number;
  /** NSGA-II, the same for every row. */
  populationSize: number; evaluations: number; maxMflops: number;
  /** Retraining of each pick and of each random network: the paper's recipe scaled to `retrainEpochs`; the seeds seed .. seed + retrainSeeds - 1. */
  retrainEpochs: number; retrainImages: number; retrainSeeds: number;
  /** Random networks under the bound (half of them at full width, half with random widths): the floor. */
  randomNetworks: number;
  /** Fashion-MNIST's directory (absent: the embedded subset). */
  dataDir?: string;
  /** The kernel set the supernets were trained with (results are bit-identical only within one). */
  kernels: string;
  rows: readonly AblationRow[];
}

export interface AblationRowResult {
  row: AblationRow; arch: string; mflops: number; params: number; supernetAcc: number;
  accs: number[]; acc: MeanSd;
  /** K-shot rows with width search: how alike the codes of near and far widths are (widthCodeSimilarity, 200 seeded paths). */
  widthCodes?: { near: number[]; far: number[]; nearMean: number; farMean: number };
}

export interface AblationResult {
  protocol: AblationProtocol;
  rows: AblationRowResult[];
  floor: { archs: string[]; mflops: number[]; accs: number[][]; acc: MeanSd };
}

/**
 * The paper's Table 5 in miniature: for each row, a main job on the
 * MobileNetV2 space (mini macro) in `dir/row-N` (supernet, search under the
 * bound, the pick retrained over the seeds), then the floor: random
 * networks under the same bound retrained the same way. Every stage resumes
 * (the main job's checkpoint, search and journal; the floor's journal), so
 * rerunning the same command continues a stopped ablation. `dir/ablation.json`
 * holds the protocol, then the results.
 */
export async function runAblation(p: AblationProtocol, dir: string, workers: number, sink: ProgressSink): Promise<AblationResult> {
  ensureWritableDir(dir);
  const path = join(dir, "ablation.json");
  // finished rows are kept here, so a resume needs none of their supernet checkpoints (too large to commit)
  let finished: AblationRowResult[] = [];
  if (existsSync(path)) {
    const old = JSON.parse(readFileSync(path, "utf8")) as { protocol: AblationProtocol; rows?: AblationRowResult[] };
    const diff = differingFields(old.protocol, p);
    if (diff.length > 0) throw new Error(`${path} holds an ablation of another protocol (${diff.join("; ")}); resume with the same flags and kernel set (KSHOT_KERNELS), or give another --out`);
    finished = old.rows ?? [];
  } else {
    writeJson(path, { protocol: p });
  }
  const rows: AblationRowResult[] = [];
  for (const [i, row] of p.rows.entries()) {
    const earlier = finished[i];
    if (earlier !== undefined) {
      sink.log(`ablation: row ${i + 1}/${p.rows.length}, ${row.name}: finished earlier (${path})`);
      rows.push(earlier);
      continue;
    }
    sink.log(`ablation: row ${i + 1}/${p.rows.length}, ${row.name}`);
    const s = await runMainJob({
      out: join(dir, `row-${i + 1}`), seed: p.seed, space: "mbv2", searchWidth: row.searchWidth, mode: row.mode,
      ...(row.rcAlpha === undefined ? {} : { rcAlpha: row.rcAlpha }), ...(p.dataDir === undefined ? {} : { dataDir: p.dataDir }),
      K: row.mode === "oneshot" ? 1 : p.K, epochs: p.epochs, trainLimit: p.trainLimit, valSize: p.valSize, batchSize: p.batchSize, lr: p.lr,
      workers, populationSize: p.populationSize, evaluations: p.evaluations, maxMflops: p.maxMflops,
      baselines: 0, retrainEpochs: p.retrainEpochs, retrainImages: p.retrainImages, retrainSeeds: p.retrainSeeds,
    }, sink);
    const c = s.retrain.chosen;
    rows.push({
      row, arch: c.arch, mflops: s.search.best.mflops, params: c.params, supernetAcc: s.search.best.acc, accs: c.accs, acc: meanSd(c.accs),
      ...(row.searchWidth && row.mode === "kshot" ? { widthCodes: measureWidthCodes(join(dir, `row-${i + 1}`, "supernet.safetensors"), p.seed) } : {}),
    });
    writeJson(path, { protocol: p, rows });
  }
  const floor = await trainFloor(p, dir, workers, sink);
  const result: AblationResult = { protocol: p, rows, floor };
  writeJson(path, result);
  return result;
}

/** The width codes of a trained width-search supernet: 200 seeded paths at near and far widths (r_c's threshold). */
function measureWidthCodes(checkpoint: string, seed: number): NonNullable<AblationRowResult["widthCodes"]> {
  const session = loadSupernetCheckpoint(checkpoint);
  try {
    const { near, far } = widthCodeSimilarity(session.space, session.simplex, new Rng(seed + 0xc0de), { paths: 200, threshold: session.config.rcThreshold });
    const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
    return { near, far, nearMean: mean(near), farMean: mean(far) };
  } finally {
    session.supernet.dispose();
    session.simplex.dispose();
  }
}

/** The random networks of the floor: drawn under the bound, half from the operations-only space, half with widths. */
export function floorArchs(p: Pick<AblationProtocol, "seed" | "randomNetworks" | "maxMflops">, shape: { channels: number; height: number; width: number; classes: number }): string[] {
  const spaceOf = (searchWidth: boolean) => new Mbv2Space({ inChannels: shape.channels, height: shape.height, width: shape.width, classes: shape.classes, searchWidth });
  const half = Math.ceil(p.randomNetworks / 2);
  return [false, true].flatMap((searchWidth, k) => {
    const space = spaceOf(searchWidth);
    const count = k === 0 ? half : p.randomNetworks - half;
    return sampleFunctions(space, count, new Rng(p.seed + 0xf100 + k), {
      accept: (g) => space.cost(g).nb201Mflops <= p.maxMflops, what: `networks within ${p.maxMflops} MFLOPs`,
    }).map((g) => space.format(g));
  });
}

async function trainFloor(p: AblationProtocol, dir: string, workers: number, sink: ProgressSink): Promise<AblationResult["floor"]> {
  const data = loadDataset("fashion-mnist", p.dataDir ?? EMBEDDED_FASHION_MNIST);
  const train = head(data.train, p.retrainImages);
  const archs = floorArchs(p, train);
  const seeds = Array.from({ length: p.retrainSeeds }, (_, i) => p.seed + i);
  const journal = join(dir, "floor.jsonl");
  type Entry = StandaloneResult & { seed: number };
  const done = new Map(readJournal<Entry>(journal).map((e) => [`${e.arch}#${e.seed}`, e]));
  sink.log(`ablation: the floor, ${archs.length} random networks within ${p.maxMflops} MFLOPs, ${seeds.length} trainings each`);
  const recipe = mbv2RetrainRecipe(p.retrainEpochs, MBV2_RETRAIN_BATCH);
  const pool = new StandalonePool({ train: shareDataset(train), test: shareDataset(data.test), dataRecipe: DATA_RECIPES["fashion-mnist"], recipe, net: { space: "mbv2" } }, workers);
  try {
    const accs = await Promise.all(archs.map((arch, i) => Promise.all(seeds.map(async (seed) => {
      const earlier = done.get(`${arch}#${seed}`);
      const res: Entry = earlier ?? { ...await pool.train({ arch, seed }), seed };
      if (earlier === undefined) appendFileSync(journal, `${JSON.stringify(res)}\n`);
      sink.log(`random ${i + 1}, seed ${seed}: test accuracy ${res.testAcc.toFixed(4)} ${arch}`);
      return res.testAcc;
    }))));
    const spaceFor = (arch: string) => new Mbv2Space({ inChannels: train.channels, height: train.height, width: train.width, classes: train.classes, searchWidth: arch.includes("|") });
    const mflops = archs.map((a) => { const s = spaceFor(a); return s.cost(s.parse(a)).nb201Mflops; });
    return { archs, mflops, accs, acc: meanSd(accs.map((a) => a.reduce((x, y) => x + y, 0) / a.length)) };
  } finally {
    await pool.close();
  }
}

/** The Table 5 miniature as Markdown: each row's pick, its MFLOPs, its stand-alone accuracy (mean ± sd over seeds), and the floor. */
export function ablationTable(r: AblationResult): string {
  const pct = (m: MeanSd) => (m.mean === null ? "n/a" : `${(m.mean * 100).toFixed(2)} ± ${((m.sd ?? 0) * 100).toFixed(2)}`);
  const lines = [
    `| # | row | MFLOPs | stand-alone top-1 (%), mean ± sd over ${r.protocol.retrainSeeds} seeds | supernet accuracy | width codes, mean lambda.lambda near / far | architecture |`,
    "|---|---|---|---|---|---|---|",
    ...r.rows.map((x, i) => `| ${i + 1} | ${x.row.name} | ${x.mflops.toFixed(3)} | ${pct(x.acc)} | ${(x.supernetAcc * 100).toFixed(2)} | ` +
      `${x.widthCodes === undefined ? "" : `${x.widthCodes.nearMean.toFixed(3)} / ${x.widthCodes.farMean.toFixed(3)}`} | \`${x.arch}\` |`),
    `| | random networks under the bound (${r.floor.archs.length}), mean ± sd over networks | ${(r.floor.mflops.reduce((a, b) => a + b, 0) / Math.max(1, r.floor.mflops.length)).toFixed(3)} | ${pct(r.floor.acc)} | | | |`,
  ];
  return `${lines.join("\n")}\n`;
}
