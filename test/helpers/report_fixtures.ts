// The report tests' shared inputs: one main-job run (a summary and its
// evaluated paths) and one rank study (five cells, one-shot and K-shot
// scores), each number chosen so that the expectations can be read off it.
import type { MainJobSummary } from "../../app/main_job.js";
import { rankMetrics, summarize, type StudyResult, type StudyRunResult } from "../../nas/study/statistics.js";

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
