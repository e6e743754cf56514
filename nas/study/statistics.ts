import binomialCdf from "@stdlib/stats-base-dists-binomial-cdf";
import tCdf from "@stdlib/stats-base-dists-t-cdf";
import tQuantile from "@stdlib/stats-base-dists-t-quantile";
import { highGroupTau, kendallTauA, kendallTauB, pearson, spearman } from "../search/ranking.js";
import type { SupernetMode } from "../supernet/path_code.js";
import type { SupernetEpochReport } from "../supernet/trainer.js";
import { NB201_OPS, opCounts, parseNb201, type Nb201Op } from "../nb201/arch.js";
import type { TruthCeiling, TruthRow } from "./truth.js";

/** One supernet of the study: a mode and its K (one-shot is K = 1). */
export interface StudyRun { mode: SupernetMode; K: number }

export function runLabel(r: StudyRun): string {
  return r.mode === "oneshot" ? "one-shot" : `${r.mode} K=${r.K}`;
}

/** The supernet budget every run of the study shares (NAS-Bench-201 on the embedded Fashion-MNIST). */
export interface StudyBudget {
  C: number; N: number; epochs: number; warmupEpochs: number; batchSize: number; trainLimit: number; valSize: number;
  lr: number; simplexLr: number; m: number; simplexBatch: number; hidden: number;
  /** Algorithm 2's alternation as written (absent: interleaved, a simplex-net step after every supernet step). */
  alternation?: "even-odd";
}

export interface RankStudyProtocol {
  runs: StudyRun[];
  seeds: number[];
  budget: StudyBudget;
  /** The ground truth: its file as given and its cells' count (the study scores exactly those cells). */
  truth: { path: string; cells: number };
  /** Also score the truth's cells every this many supernet steps along each run (absent or 0: only at the end). */
  scoreEvery?: number;
  /** The Fashion-MNIST directory the supernets train and are scored on (absent: the embedded subset). */
  dataDir?: string;
  /** The CPU kernel set (absent: plain SIMD, as every study made before the FMA kernels): results are the same bits within a set. */
  kernels?: "fma";
}

/** The cells' ranking at one point of a run's training. */
export interface CurvePoint { step: number; metrics: RankMetrics; meanAcc: number }

/** A rank statistic, or null where it is undefined (a constant score column: every cell scored alike). */
export type Statistic = number | null;

export interface RankMetrics {
  tauA: Statistic; tauB: Statistic; spearman: Statistic; pearson: Statistic;
  /** Tau-b over the working cells only (the constant-output cells at chance left out), and tau-a within strata of equal convolution count. */
  tauBWorking: Statistic; tauWithinConvs: Statistic;
  /** Figure 5: high-group tau with the top k cells by truth as the high group, k = 1 .. n-1 (index k - 1). */
  highGroup: Statistic[];
}

export interface StudyRunResult {
  label: string; mode: SupernetMode; K: number; seed: number;
  metrics: RankMetrics;
  /** Per truth cell, in the truth's order: accuracy on the held-out split and the code. */
  supernetAcc: number[];
  lambda: number[][];
  epochs: SupernetEpochReport[];
  /** With scoreEvery: the ranking every scoreEvery supernet steps. */
  curve?: CurvePoint[];
  seconds: number;
}

/** Mean and sample sd over the seeds where the statistic is defined (n of them); null where it is defined for none. */
export interface MeanSd { mean: number | null; sd: number | null; n: number }

export interface StudySummaryRow {
  label: string; mode: SupernetMode; K: number;
  tauA: MeanSd; tauB: MeanSd; spearman: MeanSd; pearson: MeanSd; tauBWorking: MeanSd; tauWithinConvs: MeanSd;
  /** The high-group tau at the report's group size (a quarter of the cells). */
  highGroup: MeanSd;
  /** Per seed, this run's tau-a minus one-shot's, and the paired tests of them (absent without a one-shot run). */
  tauAMinusOneShot: PairedDifference | null;
  /** The same for tau-b over the working cells (absent in studies of older kshot versions). */
  tauBWorkingMinusOneShot?: PairedDifference | null;
}

/** A run's statistic minus one-shot's of the same seed, per seed, with their mean ± sd and paired tests. */
export type PairedDifference = MeanSd & { perSeed: Statistic[]; test: PairedTest | null };

export interface StudyResult {
  protocol: RankStudyProtocol;
  truth: { arch: string[]; mean: number[]; ceiling: TruthCeiling | null };
  /** The zero-cost predictors' metrics against the same truth (absent in studies of older kshot versions). */
  predictors?: { name: string; metrics: RankMetrics }[];
  highGroupSize: number;
  results: StudyRunResult[];
  summary: StudySummaryRow[];
  seconds: number;
}

export function meanSd(values: readonly Statistic[]): MeanSd {
  const v = values.filter((x): x is number => x !== null && Number.isFinite(x));
  const n = v.length;
  if (n === 0) return { mean: null, sd: null, n };
  const mean = v.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, sd, n };
}

const defined = (x: number): Statistic => (Number.isFinite(x) ? x : null);

/** A statistic as printed: "n/a" where it is undefined, never a number made up for it. */
export function formatStatistic(x: Statistic, digits = 3): string {
  return x === null ? "n/a" : x.toFixed(digits);
}

/**
 * Mean ± sd as printed, n/a where no seed defines the statistic: its scores
 * were constant, or (on working cells, within strata) too few cells had two
 * to compare. The reason is not known here, so none is claimed.
 */
export function formatMeanSd(m: MeanSd, digits = 3): string {
  if (m.mean === null || m.sd === null) return "n/a (not defined in any seed)";
  return `${m.mean.toFixed(digits)} ± ${m.sd.toFixed(digits)}`;
}

/** What the working-cell and within-strata statistics need to know of the truth's cells, in its order. */
export interface CellFacts { working: readonly boolean[]; convs: readonly number[] }

/**
 * A cell works when its truth is above chance by half of chance or more:
 * the constant-output cells (every path to the output through `none`) sit at
 * chance, and would give every scorer concordant pairs for free.
 */
export function cellFacts(rows: readonly Pick<TruthRow, "arch" | "mean">[], classes = 10): CellFacts {
  return {
    working: rows.map((r) => r.mean >= 1.5 / classes),
    convs: rows.map((r) => { const c = opCounts(parseNb201(r.arch)); return c.nor_conv_1x1 + c.nor_conv_3x3; }),
  };
}

/**
 * Kendall tau-a over the pairs of cells that share a stratum (e.g. the same
 * number of convolutions): (concordant - discordant) / such pairs. It asks
 * whether a scorer orders cells that a count cannot tell apart; null
 * without such pairs.
 */
export function tauWithinStrata(truth: readonly number[], pred: readonly number[], strata: readonly number[]): Statistic {
  let sum = 0, pairs = 0;
  for (let i = 0; i < truth.length; i++) {
    for (let j = i + 1; j < truth.length; j++) {
      if (strata[i] !== strata[j]) continue;
      sum += Math.sign(truth[i]! - truth[j]!) * Math.sign(pred[i]! - pred[j]!);
      pairs++;
    }
  }
  return pairs === 0 ? null : sum / pairs;
}

/** Rank agreement of scores with the truth (tau-a is Eq. 18; tau-b corrects for ties); with `facts`, also over working cells and within strata. */
export function rankMetrics(truth: readonly number[], pred: readonly number[], facts?: CellFacts): RankMetrics {
  const w = facts === undefined ? [] : truth.map((_, i) => i).filter((i) => facts.working[i]);
  const working = facts === undefined || w.length < 2 ? null
    : defined(kendallTauB(w.map((i) => truth[i]!), w.map((i) => pred[i]!)));
  const strata = facts === undefined ? null : tauWithinStrata(w.map((i) => truth[i]!), w.map((i) => pred[i]!), w.map((i) => facts.convs[i]!));
  return {
    tauA: defined(kendallTauA(truth, pred)), tauB: defined(kendallTauB(truth, pred)), spearman: defined(spearman(truth, pred)), pearson: defined(pearson(truth, pred)),
    tauBWorking: working, tauWithinConvs: strata,
    highGroup: Array.from({ length: truth.length - 1 }, (_, i) => defined(highGroupTau(truth, pred, i + 1))),
  };
}

export function highGroupSize(cells: number): number {
  return Math.max(1, Math.round(cells / 4));
}

/** Mean ± sd over seeds per run label, and the paired difference to one-shot of the same seed. */
export function summarize(results: readonly StudyRunResult[], runs: readonly StudyRun[], k: number): StudySummaryRow[] {
  const oneShot = new Map(results.filter((r) => r.mode === "oneshot").map((r) => [r.seed, r.metrics]));
  return runs.map((run) => {
    const label = runLabel(run);
    const rs = results.filter((r) => r.label === label);
    const paired = (metric: (m: RankMetrics) => Statistic): PairedDifference | null => {
      const diffs = rs.filter((r) => oneShot.has(r.seed)).map((r) => {
        const a = metric(r.metrics), b = metric(oneShot.get(r.seed)!);
        return a === null || b === null ? null : a - b;
      });
      return run.mode === "oneshot" || diffs.length === 0 ? null : { ...meanSd(diffs), perSeed: diffs, test: pairedTest(diffs) };
    };
    return {
      label, mode: run.mode, K: run.K,
      tauA: meanSd(rs.map((r) => r.metrics.tauA)), tauB: meanSd(rs.map((r) => r.metrics.tauB)),
      spearman: meanSd(rs.map((r) => r.metrics.spearman)), pearson: meanSd(rs.map((r) => r.metrics.pearson)),
      tauBWorking: meanSd(rs.map((r) => r.metrics.tauBWorking ?? null)), tauWithinConvs: meanSd(rs.map((r) => r.metrics.tauWithinConvs ?? null)),
      highGroup: meanSd(rs.map((r) => r.metrics.highGroup[k - 1]!)),
      tauAMinusOneShot: paired((m) => m.tauA),
      tauBWorkingMinusOneShot: paired((m) => m.tauBWorking ?? null),
    };
  });
}

/**
 * Paired differences over seeds, tested against no difference: Student's t
 * (two-sided p-value and the mean's 95% interval, from @stdlib's t
 * distribution) and the sign test (exact two-sided binomial, ties dropped).
 * The t-test is undefined for one seed or a zero spread (null then).
 */
export interface PairedTest {
  n: number; mean: number; sd: number;
  t: number | null; pValue: number | null; ci95: [number, number] | null;
  sign: { positive: number; negative: number; pValue: number };
}

export function pairedTest(values: readonly Statistic[]): PairedTest | null {
  const d = values.filter((x): x is number => x !== null && Number.isFinite(x));
  const n = d.length;
  if (n === 0) return null;
  const { mean, sd } = meanSd(d) as { mean: number; sd: number };
  const positive = d.filter((x) => x > 0).length, negative = d.filter((x) => x < 0).length, m = positive + negative;
  const sign = { positive, negative, pValue: Math.min(1, 2 * binomialCdf(Math.min(positive, negative), m, 0.5)) };
  if (n < 2 || sd === 0) return { n, mean, sd, t: null, pValue: null, ci95: n < 2 ? null : [mean, mean], sign };
  const se = sd / Math.sqrt(n), t = mean / se, half = tQuantile(0.975, n - 1) * se;
  return { n, mean, sd, t, pValue: 2 * (1 - tCdf(Math.abs(t), n - 1)), ci95: [mean - half, mean + half], sign };
}

/**
 * The zero-cost predictors a supernet must beat: scores read off the cell
 * alone (its parameters, its MACs, how many convolutions it has, how many
 * of them are 3x3), ranked against the truth as a supernet's scores are.
 */
export function predictorMetrics(rows: readonly TruthRow[], facts: CellFacts): { name: string; metrics: RankMetrics }[] {
  const mean = rows.map((r) => r.mean);
  const conv3 = rows.map((r) => opCounts(parseNb201(r.arch)).nor_conv_3x3);
  const predictors: [string, number[]][] = [
    ["parameters", rows.map((r) => r.params)], ["MACs", rows.map((r) => r.macs)], ["convolutions", [...facts.convs]], ["3x3 convolutions", conv3],
  ];
  return predictors.map(([name, score]) => ({ name, metrics: rankMetrics(mean, score, facts) }));
}

/**
 * What a column of scores follows: Kendall tau-b between the count of each
 * op in a cell and the scores, over the working cells. A supernet that
 * prefers parameter-free ops shows it here, beside the truth's own values.
 */
export function opDependence(archs: readonly string[], scores: readonly number[], working: readonly boolean[]): Record<Nb201Op, Statistic> {
  const w = archs.map((_, i) => i).filter((i) => working[i]);
  const counts = w.map((i) => opCounts(parseNb201(archs[i]!)));
  const s = w.map((i) => scores[i]!);
  return Object.fromEntries(NB201_OPS.map((op) => [op, w.length < 2 ? null : defined(kendallTauB(counts.map((c) => c[op]), s))])) as Record<Nb201Op, Statistic>;
}

/** The truth's dependence on each op, then each run's, averaged over its seeds: the rows of the report's "what the scores follow". */
export function studyOpDependence(s: Pick<StudyResult, "truth" | "results" | "summary">): { label: string; tauB: Record<Nb201Op, Statistic> }[] {
  const { working } = cellFacts(s.truth.arch.map((arch, i) => ({ arch, mean: s.truth.mean[i]! })));
  const rows = [{ label: "stand-alone truth", tauB: opDependence(s.truth.arch, s.truth.mean, working) }];
  for (const r of s.summary) {
    const per = s.results.filter((x) => x.label === r.label).map((x) => opDependence(s.truth.arch, x.supernetAcc, working));
    if (per.length === 0) continue;
    rows.push({ label: r.label, tauB: Object.fromEntries(NB201_OPS.map((op) => [op, meanSd(per.map((d) => d[op])).mean])) as Record<Nb201Op, Statistic> });
  }
  return rows;
}
