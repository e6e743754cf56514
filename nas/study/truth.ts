import { readFileSync } from "node:fs";
import { Rng } from "../../engine/index.js";
import { writeFileAtomic } from "../../data/files.js";
import { readCsv, columnIndex, DECIMAL } from "../../data/csv.js";
import type { DatasetName } from "../../train/datasets.js";
import type { TrainRecipe } from "../../train/fit.js";
import { Nb201Space } from "../nb201/space.js";
import { sampleFunctions } from "../space.js";
import { kendallTauB, spearman } from "../search/ranking.js";

/** How the ground truth is made: which cells, which data, which recipe, how many seeds. */
export interface TruthProtocol {
  cells: number;
  /** Trainings per cell, with seeds 0 .. seeds-1 (initialisation and data order, as `kshot train --seed`). */
  seeds: number;
  /** Seed of the cell sample. */
  sampleSeed: number;
  C: number;
  N: number;
  dataset: DatasetName;
  /** Absolute; absent: the embedded Fashion-MNIST subset, whatever else the machine has, so a table made anywhere is the same table. */
  dataDir?: string;
  trainLimit?: number;
  testLimit?: number;
  recipe: TrainRecipe;
  /** The CPU kernel set (absent: plain SIMD, as every table made before the FMA kernels): results are the same bits within a set. */
  kernels?: "fma";
}

export interface TruthRow { arch: string; accs: number[]; mean: number; macs: number; params: number; seconds: number }

/** The noise ceiling: how well one seed's stand-alone accuracies rank the cells of another (means over seed pairs). */
export interface TruthCeiling { kendallTauB: number; spearman: number; pairs: number }

export interface TruthResult { rows: TruthRow[]; ceiling: TruthCeiling | null; trained: number; seconds: number; dataNote: string }

/**
 * `cells` NAS-Bench-201 cells drawn uniformly, one per isomorphism class,
 * without replacement. Draws are sequential, so a larger count extends a
 * smaller one's list.
 */
export function sampleTruthCells(p: Pick<TruthProtocol, "cells" | "sampleSeed" | "C" | "N">, shape: { channels: number; height: number; width: number; classes: number }): string[] {
  const space = new Nb201Space({ C: p.C, N: p.N, inChannels: shape.channels, classes: shape.classes, height: shape.height, width: shape.width });
  return sampleFunctions(space, p.cells, new Rng(p.sampleSeed), { what: "NAS-Bench-201 functions" }).map((g) => space.format(g));
}

export function truthColumns(seeds: number): string[] {
  return ["arch", ...Array.from({ length: seeds }, (_, s) => `acc_seed${s}`), "mean", "macs", "params", "seconds"];
}

/** Reads a ground-truth CSV (`kshot study truth`): every row checked, accuracies in [0, 1]. */
export function readTruth(path: string): TruthRow[] {
  const t = readCsv(path);
  const seedCols = t.columns.filter((c) => /^acc_seed\d+$/.test(c));
  if (seedCols.length === 0) throw new Error(`${path}: no acc_seed0.. columns; not a ground-truth table of 'kshot study truth'`);
  const at = (c: string) => columnIndex(t, c);
  const [iArch, iMean, iMacs, iParams, iSec] = [at("arch"), at("mean"), at("macs"), at("params"), at("seconds")];
  const seen = new Set<string>();
  return t.rows.map((r, line) => {
    const field = (i: number, what: string, lo: number, hi: number) => {
      const s = r[i]!.trim(), v = Number(s);
      if (!(DECIMAL.test(s) && v >= lo && v <= hi)) throw new Error(`${path}: line ${line + 2}: ${what} is '${r[i]}', expected a number in [${lo}, ${hi}]`);
      return v;
    };
    const arch = r[iArch]!.trim();
    if (seen.has(arch)) throw new Error(`${path}: line ${line + 2}: ${arch} appears twice`);
    seen.add(arch);
    return {
      arch, accs: seedCols.map((c) => field(at(c), c, 0, 1)), mean: field(iMean, "mean", 0, 1),
      macs: field(iMacs, "macs", 0, Infinity), params: field(iParams, "params", 0, Infinity), seconds: field(iSec, "seconds", 0, Infinity),
    };
  });
}

/** Writes the ground-truth table (the CSV that readTruth reads), atomically. */
export function writeTruthCsv(path: string, rows: readonly TruthRow[], seeds: number): void {
  const lines = rows.map((r) => [r.arch, ...r.accs.map((a) => a.toFixed(4)), r.mean.toFixed(4), r.macs, r.params, r.seconds.toFixed(1)].join(","));
  writeFileAtomic(path, `${[truthColumns(seeds).join(","), ...lines].join("\n")}\n`);
}

export function truthCeiling(rows: readonly TruthRow[]): TruthCeiling | null {
  const seeds = rows[0]?.accs.length ?? 0;
  if (seeds < 2 || rows.length < 3) return null;
  let tau = 0, rho = 0, pairs = 0;
  for (let a = 0; a < seeds; a++) {
    for (let b = a + 1; b < seeds; b++) {
      const x = rows.map((r) => r.accs[a]!), y = rows.map((r) => r.accs[b]!);
      tau += kendallTauB(x, y);
      rho += spearman(x, y);
      pairs++;
    }
  }
  return { kendallTauB: tau / pairs, spearman: rho / pairs, pairs };
}

/** The protocol file beside the CSV: what made it, so that a resume cannot mix protocols. */
export function truthMetaPath(csv: string): string {
  return csv.replace(/\.csv$/i, "") + ".json";
}


/** A truth table's protocol, from the file beside it (`kshot study truth` writes it). */
export function readTruthProtocol(csv: string): TruthProtocol {
  const meta = truthMetaPath(csv);
  let parsed: { protocol?: TruthProtocol };
  try {
    parsed = JSON.parse(readFileSync(meta, "utf8")) as { protocol?: TruthProtocol };
  } catch (e) {
    throw new Error(`${csv}: its protocol file ${meta} cannot be read (${(e as Error).message.split("\n")[0]})`);
  }
  if (parsed.protocol === undefined) throw new Error(`${meta}: no protocol in it; not written by 'kshot study truth'`);
  return parsed.protocol;
}

/**
 * Where `value` stands among `others`, in percent: the share of them below
 * it, ties counted half (mid-rank), so 0 is below all, 100 above all and a
 * value equal to every other is at 50.
 */
export function percentileAmong(value: number, others: readonly number[]): number {
  if (others.length === 0) throw new Error("percentile among no values");
  let below = 0;
  for (const o of others) below += o < value ? 1 : o === value ? 0.5 : 0;
  return (100 * below) / others.length;
}
