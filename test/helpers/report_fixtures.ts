// The report tests' shared inputs: one main-job run (a summary and its
// evaluated paths) and one rank study (five cells, one-shot and K-shot
// scores), each number chosen so that the expectations can be read off it.
import type { MainJobSummary } from "../../app/main_job.js";
import { cellFacts, rankMetrics, summarize, type StudyResult, type StudyRun, type StudyRunResult } from "../../nas/study/statistics.js";

const path = (arch: string, acc: number, mflops: number, lambda: number[]) => ({ arch, acc, mflops, macs: mflops * 5e5, params: 1000, lambda });
export const evaluated = [
  path("|a|", 0.5, 1, [0.12, 0.88]), path("|b|", 0.6, 2, [0.22, 0.78]), path("|c|", 0.55, 3, [0.32, 0.68]),
  path("|d|", 0.7, 4, [0.37, 0.63]), path("|e|", 0.4, 6, [0.97, 0.03]),
];
export const summary = {
  options: { maxMflops: 5 },
  supernet: { config: { K: 2, C: 8, N: 1 }, epochs: [{ epoch: 1, supernetLoss: 2, simplexLoss: null, seconds: 1 }, { epoch: 2, supernetLoss: 1.5, simplexLoss: 1.8, seconds: 1 }, { epoch: 3, supernetLoss: 1.2, simplexLoss: 1.6, seconds: 1 }], checkpoint: "x" },
  search: { best: evaluated[3]!, front: [evaluated[0]!, evaluated[1]!, evaluated[3]!], evaluations: 5, generations: 1, seconds: 1, stopped: "5 evaluations done" },
  retrain: {
    recipe: { epochs: 2 }, trainImages: 100, testImages: 50,
    chosen: { arch: "|d|", testAcc: 0.86, params: 1, macs: 1, seconds: 1 },
    baseline: [{ arch: "|x|", testAcc: 0.8, params: 1, macs: 1, seconds: 1 }, { arch: "|y|", testAcc: 0.82, params: 1, macs: 1, seconds: 1 }],
    baselineMean: 0.81,
  },
  seconds: 10,
} as unknown as MainJobSummary;

export const ARCHS = [
  "|none~0|+|skip_connect~0|none~1|+|none~0|none~1|skip_connect~2|",
  "|nor_conv_3x3~0|+|none~0|none~1|+|none~0|none~1|skip_connect~2|",
  "|avg_pool_3x3~0|+|none~0|none~1|+|none~0|none~1|skip_connect~2|",
  "|nor_conv_1x1~0|+|none~0|none~1|+|none~0|none~1|skip_connect~2|",
  "|nor_conv_3x3~0|+|nor_conv_3x3~0|none~1|+|none~0|none~1|skip_connect~2|",
];
export const TRUTH = [0.80, 0.84, 0.78, 0.82, 0.86];
// one-shot orders 2 of the 10 pairs wrongly and ties one (cells 0 and 3): tau-a (7 - 2) / 10 = 0.5, tau-b 5 / sqrt(10 * 9) = 0.527;
// K-shot orders all ten as the truth: tau-a 1
export const ONE_SHOT = [0.61, 0.66, 0.64, 0.61, 0.70];
export const KSHOT = [0.50, 0.58, 0.46, 0.55, 0.63];

export function study(): StudyResult {
  const result = (label: string, mode: "oneshot" | "kshot", K: number, acc: number[]): StudyRunResult => ({
    label, mode, K, seed: 0, metrics: rankMetrics(TRUTH, acc), supernetAcc: acc, lambda: acc.map(() => [1]), epochs: [], seconds: 1,
  });
  const results = [result("one-shot", "oneshot", 1, ONE_SHOT), result("kshot K=2", "kshot", 2, KSHOT)];
  const runs = [{ mode: "oneshot" as const, K: 1 }, { mode: "kshot" as const, K: 2 }];
  return {
    protocol: { runs, seeds: [0], budget: {} as StudyResult["protocol"]["budget"], truth: { path: "t.csv", cells: 5 } },
    truth: { arch: ARCHS, mean: TRUTH, ceiling: null }, highGroupSize: 1, results, summary: summarize(results, runs, 1), seconds: 1,
  };
}

// A fuller study: two seeds, one-shot listed second, K-shot at K = 1, 2 and 4, a
// fixed run whose scores are constant (its tau undefined), training curves
// with gaps, four predictors, a quarter of the cells as the high group, and
// the truth's noise ceiling. Every cell works (truth above 1.5 / 10), so tau-b on
// working cells is tau-b.
export const ONE_SHOT_B = [0.60, 0.65, 0.62, 0.66, 0.64]; // tau-a 0.2 against the truth
const FACTS = cellFacts(ARCHS.map((arch, i) => ({ arch, mean: TRUTH[i]! })));
const metricsOf = (scores: number[]) => rankMetrics(TRUTH, scores, FACTS);
const point = (step: number, scores: number[]) => ({ step, meanAcc: 0.6, metrics: metricsOf(scores) });

/** A study's supernet budget, as a page prints it. */
export const BUDGET: StudyResult["protocol"]["budget"] = { C: 8, N: 1, epochs: 7, warmupEpochs: 1, batchSize: 64, trainLimit: 60000, valSize: 3000, lr: 0.05, simplexLr: 0.05, m: 4, simplexBatch: 64, hidden: 100 };

export function studyWithCurves(): StudyResult {
  const runs: StudyRun[] = [{ mode: "kshot", K: 2 }, { mode: "oneshot", K: 1 }, { mode: "kshot", K: 4 }, { mode: "kshot", K: 1 }, { mode: "fixed", K: 2 }];
  const result = (run: StudyRun, seed: number, acc: number[], lambda: number[], curve?: ReturnType<typeof point>[]): StudyRunResult => ({
    label: run.mode === "oneshot" ? "one-shot" : `${run.mode} K=${run.K}`, mode: run.mode, K: run.K, seed, metrics: metricsOf(acc),
    supernetAcc: acc, lambda: acc.map((_, c) => lambda.map((l, k) => (k === 0 ? l + 0.02 * c : l - 0.02 * c / (lambda.length - 1)))), epochs: [], seconds: 1,
    ...(curve === undefined ? {} : { curve }),
  });
  const [k2, one, k4, k1, fixed] = runs as [StudyRun, StudyRun, StudyRun, StudyRun, StudyRun];
  const results = [
    // K=2: seed 1's curve has no point at step 300, where seed 0's stands alone
    result(k2, 0, KSHOT, [0.3, 0.7], [point(100, ONE_SHOT_B), point(200, ONE_SHOT), point(300, KSHOT)]),
    result(k2, 1, [0.52, 0.57, 0.47, 0.56, 0.6], [0.4, 0.6], [point(100, ONE_SHOT), point(200, KSHOT)]),
    // one-shot: only seed 0 scored along training
    result(one, 0, ONE_SHOT, [1], [point(100, [0.5, 0.5, 0.5, 0.5, 0.5]), point(200, ONE_SHOT_B), point(300, ONE_SHOT)]),
    result(one, 1, ONE_SHOT_B, [1]),
    // K=4 swaps one-shot's two seeds: per-seed differences d and -d, mean exactly 0
    result(k4, 0, ONE_SHOT_B, [0.1, 0.2, 0.3, 0.4]), result(k4, 1, ONE_SHOT, [0.1, 0.2, 0.3, 0.4]),
    result(k1, 0, [0.55, 0.6, 0.5, 0.58, 0.61], [1]), result(k1, 1, [0.54, 0.6, 0.52, 0.57, 0.62], [1]),
    result(fixed, 0, [0.6, 0.6, 0.6, 0.6, 0.6], [0.5, 0.5]), result(fixed, 1, [0.6, 0.6, 0.6, 0.6, 0.6], [0.5, 0.5]),
  ];
  const predictors = [
    { name: "parameters", metrics: metricsOf([3, 5, 1, 4, 6]) }, { name: "MACs", metrics: metricsOf([3, 5, 1, 2, 6]) },
    { name: "convolutions", metrics: metricsOf([0, 1, 0, 1, 2]) }, { name: "3x3 convolutions", metrics: metricsOf([0, 1, 0, 0, 2]) },
  ];
  return {
    protocol: { runs, seeds: [0, 1], budget: BUDGET, truth: { path: "t.csv", cells: 5 }, scoreEvery: 100 },
    truth: { arch: ARCHS, mean: TRUTH, ceiling: { kendallTauB: 0.6, spearman: 0.75, pairs: 1 } }, predictors,
    highGroupSize: 2, results, summary: summarize(results, runs, 2), seconds: 1,
  };
}
