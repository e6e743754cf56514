import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { cellFacts, highGroupSize, meanSd, opDependence, pairedTest, predictorMetrics, rankMetrics, summarize, tauWithinStrata, type RankStudyProtocol, type StudyResult, type StudyRunResult } from "../../nas/study/statistics.js";
import { highGroupTau } from "../../nas/search/ranking.js";
import { readTruth } from "../../nas/study/truth.js";
import { parseXml } from "../helpers/svg.js";
import { studyFigures, studyFollows, studyTable, studyVerdicts } from "../../report/study_report.js";

// The rank study's statistics on hand cases and values from scipy: pure
// functions, no training, so that mutation testing can run this file for
// every mutant of nas/study/statistics.ts in a second or two.

describe("study statistics with a supernet that scores every cell alike", () => {
  it("reports undefined rank statistics as n/a, through a study.json round trip, never as a number", () => {
    const truth = [0.8, 0.7, 0.75, 0.72];
    const constant = rankMetrics(truth, [0.5, 0.5, 0.5, 0.5]);
    // tau-a is defined (no pair concordant or discordant: 0); tau-b, Spearman and Pearson divide by a zero spread
    assert.deepEqual([constant.tauA, constant.tauB, constant.spearman, constant.pearson], [0, null, null, null]);
    const result = (label: string, mode: "oneshot" | "kshot", K: number, seed: number, acc: number[]): StudyRunResult => ({
      label, mode, K, seed, metrics: rankMetrics(truth, acc), supernetAcc: acc, lambda: acc.map(() => [1]), epochs: [], seconds: 1,
    });
    const results = [result("one-shot", "oneshot", 1, 0, [0.5, 0.5, 0.5, 0.5]), result("kshot K=2", "kshot", 2, 0, [0.6, 0.4, 0.45, 0.5])];
    const runs = [{ mode: "oneshot" as const, K: 1 }, { mode: "kshot" as const, K: 2 }];
    const s: StudyResult = JSON.parse(JSON.stringify({
      protocol: { runs, seeds: [0], budget: {}, truth: { path: "t.csv", cells: 4 } },
      truth: { arch: ["|none~0|+|skip_connect~0|none~1|+|none~0|none~1|skip_connect~2|", "|nor_conv_3x3~0|+|none~0|none~1|+|none~0|none~1|skip_connect~2|",
        "|avg_pool_3x3~0|+|none~0|none~1|+|none~0|none~1|skip_connect~2|", "|nor_conv_1x1~0|+|none~0|none~1|+|none~0|none~1|skip_connect~2|"], mean: truth, ceiling: null },
      highGroupSize: 1, results, summary: summarize(results, runs, 1), seconds: 2,
    }));
    assert.deepEqual(s.summary[0]!.tauB, { mean: null, sd: null, n: 0 });
    const table = studyTable(s);
    assert.match(table, /\| one-shot +\| 1 +\| 0\.000 ± 0\.000 \| n\/a \(not defined in any seed\) \|/);
    assert.doesNotMatch(table, /NaN|undefined|null/);
    // K=2's tau-a by hand: of the 6 pairs only cells 2 and 3 (truth 0.75 > 0.72, scores 0.45 < 0.5) disagree: (5 - 1) / 6; one-shot's 0
    assert.match(studyVerdicts(s)[0]!, /^kshot K=2 vs one-shot: tau-a \+0\.667 ± 0\.000 over 1 seed\(s\) \(per seed 0\.667\); no interval from one seed; t-test n\/a; sign test 1 up, 0 down, p = 1\.0: not distinguishable from one-shot$/);
    const undefinedDiff = { ...s, summary: [{ ...s.summary[1]!, tauAMinusOneShot: { mean: null, sd: null, n: 0, perSeed: [null], test: null } }] };
    assert.deepEqual(studyVerdicts(undefinedDiff), ["kshot K=2 vs one-shot: n/a (tau-a is not defined in any paired seed)",
      "kshot K=2 vs one-shot: n/a (tau-b on working cells is not defined in any paired seed)"], "one-shot's constant scores leave tau-b undefined, so its difference too");
    assert.doesNotThrow(() => studyFigures(s));
    const m = meanSd([0.2, null, 0.4]); // over the two defined values: mean 0.3, sample sd sqrt(((0.1)^2 + (0.1)^2) / 1)
    assert.equal(m.n, 2);
    assert.ok(Math.abs(m.mean! - 0.3) < 1e-15 && Math.abs(m.sd! - Math.sqrt(0.02)) < 1e-15);
  });
});

describe("paired tests over seeds, against scipy", () => {
  // scipy 1.17: stats.ttest_1samp(d, 0), stats.t.ppf(0.975, n - 1) for the interval, stats.binomtest(up, up + down, 0.5)
  const cases: [number[], { mean: number; sd: number; t: number; p: number; ci: [number, number]; up: number; down: number; signP: number }][] = [
    [[0.05, 0.1, -0.02, 0.08, 0.03], { mean: 0.048, sd: 0.04658325879540847, t: 2.3040737315391326, p: 0.08256829674577387,
      ci: [-0.009840755365267538, 0.10584075536526755], up: 4, down: 1, signP: 0.375 }],
    [[0.145, 0.08], { mean: 0.11249999999999999, sd: 0.04596194077712558, t: 3.4615384615384617, p: 0.17903798036765878,
      ci: [-0.3004516539256774, 0.5254516539256774], up: 2, down: 0, signP: 0.5 }],
    [[-0.063, -0.082, -0.05], { mean: -0.065, sd: 0.01609347693943108, t: -6.995586032508209, p: 0.01982820162003109,
      ci: [-0.10497841297842503, -0.025021587021574976], up: 0, down: 3, signP: 0.25 }],
  ];
  for (const [d, e] of cases) {
    it(`[${d.join(", ")}]`, () => {
      const r = pairedTest(d)!;
      const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) < 1e-9, `${what}: ${a} vs scipy ${b}`);
      close(r.mean, e.mean, "mean"); close(r.sd, e.sd, "sd"); close(r.t!, e.t, "t"); close(r.pValue!, e.p, "p");
      close(r.ci95![0], e.ci[0], "ci low"); close(r.ci95![1], e.ci[1], "ci high");
      assert.deepEqual([r.sign.positive, r.sign.negative], [e.up, e.down]);
      close(r.sign.pValue, e.signP, "sign p");
    });
  }
  it("one seed or no spread has no t-test; ties drop out of the sign test; nothing defined, no test", () => {
    assert.deepEqual(pairedTest([0.2]), { n: 1, mean: 0.2, sd: 0, t: null, pValue: null, ci95: null, sign: { positive: 1, negative: 0, pValue: 1 } });
    assert.deepEqual(pairedTest([0.1, 0.1, null]), { n: 2, mean: 0.1, sd: 0, t: null, pValue: null, ci95: [0.1, 0.1], sign: { positive: 2, negative: 0, pValue: 0.5 } });
    assert.equal(pairedTest([0, 0, 0.3])!.sign.pValue, 1); // one signed difference of one: p = 2 * P(X <= 0 | 1, 0.5) = 1
    // a tie counts on neither side: 2 up of 2 signed, p = 2 * P(X <= 0 | 2, 0.5) = 0.5
    assert.deepEqual(pairedTest([0, 0.3, 0.2])!.sign, { positive: 2, negative: 0, pValue: 0.5 });
    assert.deepEqual(pairedTest([0, -0.3, -0.2])!.sign, { positive: 0, negative: 2, pValue: 0.5 });
    assert.equal(pairedTest([null, null]), null);
  });
});


describe("strata, working cells and the zero-cost predictors", () => {
  it("tau within strata counts only the pairs that share a stratum (a hand case)", () => {
    // stratum 0: (1,2) and (1,3) concordant, (2,3) discordant; stratum 1 likewise: (4 - 2) / 6
    assert.equal(tauWithinStrata([1, 2, 3, 4, 5, 6], [1, 3, 2, 4, 6, 5], [0, 0, 0, 1, 1, 1]), 1 / 3);
    assert.equal(tauWithinStrata([1, 2, 3], [3, 2, 1], [0, 0, 0]), -1);
    assert.equal(tauWithinStrata([1, 2, 3], [1, 2, 3], [0, 1, 2]), null, "no pair shares a stratum");
  });

  it("calls a cell working from 1.5 x chance up, the boundary included; without facts there are no working-cell or strata statistics", () => {
    const arch = "|nor_conv_3x3~0|+|none~0|none~1|+|none~0|none~1|skip_connect~2|";
    const facts = cellFacts([{ arch, mean: 0.15 }, { arch, mean: 0.1499 }, { arch, mean: 0.8 }]);
    assert.deepEqual(facts.working, [true, false, true], "10 classes: 0.15 is 1.5 x chance");
    assert.deepEqual(facts.convs, [1, 1, 1]);
    const m = rankMetrics([0.8, 0.7, 0.75, 0.72], [0.6, 0.5, 0.45, 0.55]);
    assert.deepEqual([m.tauBWorking, m.tauWithinConvs], [null, null], "no facts given");
    assert.equal(m.highGroup.length, 3, "one high-group tau per group size 1 .. n - 1");
    // with facts: the two working cells of three make one pair, concordant here
    const withFacts = rankMetrics([0.8, 0.1, 0.7], [0.6, 0.9, 0.5], { working: [true, false, true], convs: [1, 1, 1] });
    assert.equal(withFacts.tauBWorking, 1);
    assert.equal(withFacts.tauWithinConvs, 1, "strata over the working cells only: the chance cell's discordant pairs left out");
    assert.equal(rankMetrics([0.8, 0.1, 0.7], [0.6, 0.9, 0.5], { working: [true, false, false], convs: [1, 1, 1] }).tauBWorking, null, "one working cell: no pair");
  });

  it("on the committed truth, the predictors rank the working cells as the issue measured them by hand", () => {
    // the issue measured the table's first 48 cells; a larger table extends that sample, its first rows unchanged
    const rows = readTruth("studies/nb201-fashion-mnist-truth.csv").slice(0, 48);
    const facts = cellFacts(rows);
    assert.equal(facts.working.filter(Boolean).length, 46, "48 cells, two with constant output at chance");
    const byName = Object.fromEntries(predictorMetrics(rows, facts).map((p) => [p.name, p.metrics]));
    // issue #27: convolutions 0.60, 3x3 only 0.55, parameters or FLOPs 0.57 (tau-b on the 46 working cells)
    assert.equal(byName["convolutions"]!.tauBWorking!.toFixed(2), "0.60");
    assert.equal(byName["3x3 convolutions"]!.tauBWorking!.toFixed(2), "0.55");
    assert.equal(byName["parameters"]!.tauBWorking!.toFixed(2), "0.57");
    assert.equal(byName["MACs"]!.tauBWorking!.toFixed(2), "0.57");
    // within a stratum every cell has the same count: the count itself orders no pair there
    assert.equal(byName["convolutions"]!.tauWithinConvs, 0);
  });
});

describe("what the scores follow", () => {
  // skip_connect on 0..3 edges, the rest none: a score rising with the skips follows skip (tau-b 1) and none (-1), and no conv (undefined)
  const archs = ["|none~0|+|none~0|none~1|+|none~0|none~1|none~2|", "|skip_connect~0|+|none~0|none~1|+|none~0|none~1|none~2|",
    "|skip_connect~0|+|skip_connect~0|none~1|+|none~0|none~1|none~2|", "|skip_connect~0|+|skip_connect~0|skip_connect~1|+|none~0|none~1|none~2|"];
  it("gives tau-b of each op's count against the scores, on a hand case", () => {
    const d = opDependence(archs, [0.1, 0.2, 0.3, 0.4], [true, true, true, true]);
    assert.deepEqual(d, { none: -1, skip_connect: 1, nor_conv_1x1: null, nor_conv_3x3: null, avg_pool_3x3: null });
    // the first cell scored out of line: over all four cells skip's tau-b would be 0, over the working three it is 1
    assert.equal(opDependence(archs, [0.9, 0.2, 0.3, 0.4], [false, true, true, true]).skip_connect, 1, "over the working cells only");
    // skips 0 < 1 < 2 < 3 against scores 0.4, 0.2, 0.3, 0.1: only the pair (1, 2) agrees: (1 - 5) / 6
    assert.equal(opDependence(archs, [0.4, 0.2, 0.3, 0.1], [true, true, true, true]).skip_connect, -4 / 6);
  });

  it("draws one bar per op and row, the run's bars as its values", () => {
    const acc = [0.1, 0.2, 0.3, 0.4];
    const result = { label: "one-shot", mode: "oneshot" as const, K: 1, seed: 0, metrics: rankMetrics([0.5, 0.6, 0.7, 0.8], acc), supernetAcc: acc, lambda: [], epochs: [], seconds: 1 };
    const s: StudyResult = {
      protocol: { runs: [{ mode: "oneshot", K: 1 }], seeds: [0], budget: {} as RankStudyProtocol["budget"], truth: { path: "t", cells: 4 } },
      truth: { arch: archs, mean: [0.8, 0.7, 0.6, 0.5], ceiling: null }, highGroupSize: 1, results: [result],
      summary: summarize([result], [{ mode: "oneshot", K: 1 }, { mode: "kshot", K: 4 }], 1), seconds: 1,
    };
    // the K-shot row has no finished run yet: it gets no row of its own
    assert.deepEqual(studyFollows(s), [
      "stand-alone truth: none 1.00, skip_connect -1.00, nor_conv_1x1 n/a, nor_conv_3x3 n/a, avg_pool_3x3 n/a",
      "one-shot: none -1.00, skip_connect 1.00, nor_conv_1x1 n/a, nor_conv_3x3 n/a, avg_pool_3x3 n/a",
    ]);
    const svg = parseXml(studyFigures(s).get("follows.svg")!);
    const series = [...svg.getElementsByTagName("g")].filter((g) => g.getAttribute("class") === "mark bars");
    assert.deepEqual(series.map((g) => g.getAttribute("data-series")), ["stand-alone truth", "one-shot"]);
    const heights = series.map((g) => [...g.getElementsByTagName("rect")].map((r) => Number(r.getAttribute("height"))));
    // truth: none +1, skip -1; run: none -1, skip +1; undefined ops draw nothing: equal heights for |tau| = 1, zero for the rest
    for (const h of heights) {
      assert.equal(h.length, 5);
      assert.ok(h[0]! > 0 && Math.abs(h[0]! - h[1]!) < 0.01 && h.slice(2).every((x) => x === 0), `${h}`);
    }
    const top = (g: (typeof series)[number], i: number) => Number(g.getElementsByTagName("rect")[i]!.getAttribute("y"));
    assert.ok(top(series[1]!, 1) < top(series[1]!, 0), "the run's skip bar rises above the baseline, its none bar hangs below");
  });
});

describe("the summary over seeds", () => {
  // hand metrics per run and seed; every other field is irrelevant to the summary
  const m = (tauA: number | null, tauBWorking: number | null, highGroup: (number | null)[], rest = 0.5): StudyRunResult["metrics"] =>
    ({ tauA, tauB: rest, spearman: rest + 0.1, pearson: rest + 0.2, tauBWorking, tauWithinConvs: rest - 0.1, highGroup });
  const r = (label: string, mode: StudyRunResult["mode"], K: number, seed: number, metrics: StudyRunResult["metrics"]): StudyRunResult =>
    ({ label, mode, K, seed, metrics, supernetAcc: [], lambda: [], epochs: [], seconds: 1 });
  const results = [
    r("one-shot", "oneshot", 1, 0, m(0.2, 0.3, [0.1, 0.9])),
    r("one-shot", "oneshot", 1, 1, m(0.4, 0.1, [0.3, 0.7])),
    r("kshot K=4", "kshot", 4, 0, m(0.5, 0.4, [0.2, 0.6], 0.7)),
    r("kshot K=4", "kshot", 4, 1, m(0.6, null, [0.4, 0.2], 0.9)),
    r("kshot K=4", "kshot", 4, 2, m(0.9, 0.9, [0.0, 0.0], 0.9)), // no one-shot partner: in the means, not in the pairs
  ];
  const runs = [{ mode: "oneshot" as const, K: 1 }, { mode: "kshot" as const, K: 4 }];

  it("gives each run's mean and sample sd per statistic, over its own seeds only", () => {
    const [one, ks] = summarize(results, runs, 2);
    assert.equal(one!.label, "one-shot");
    assert.deepEqual([one!.tauA.mean, one!.tauA.n], [0.30000000000000004, 2]);
    assert.ok(Math.abs(one!.tauA.sd! - Math.abs(0.2 - 0.4) / Math.SQRT2) < 1e-12);
    assert.equal(ks!.label, "kshot K=4");
    assert.equal(ks!.K, 4);
    assert.ok(Math.abs(ks!.tauA.mean! - (0.5 + 0.6 + 0.9) / 3) < 1e-12);
    assert.ok(Math.abs(ks!.tauB.mean! - (0.7 + 0.9 + 0.9) / 3) < 1e-12);
    assert.ok(Math.abs(ks!.spearman.mean! - (0.8 + 1.0 + 1.0) / 3) < 1e-12);
    assert.ok(Math.abs(ks!.pearson.mean! - (0.9 + 1.1 + 1.1) / 3) < 1e-12);
    assert.ok(Math.abs(ks!.tauWithinConvs.mean! - (0.6 + 0.8 + 0.8) / 3) < 1e-12);
    // the undefined working-cell tau of seed 1 is left out: the mean of 0.4 and 0.9 over n = 2
    assert.deepEqual([ks!.tauBWorking.mean, ks!.tauBWorking.n], [0.65, 2]);
    // the high-group tau at the given group size k = 2 (index 1)
    assert.ok(Math.abs(ks!.highGroup.mean! - (0.6 + 0.2 + 0.0) / 3) < 1e-12);
    assert.ok(Math.abs(summarize(results, runs, 1)[1]!.highGroup.mean! - (0.2 + 0.4 + 0.0) / 3) < 1e-12);
  });

  it("pairs each run with one-shot of the same seed: differences per seed, undefined where either side is", () => {
    const [one, ks] = summarize(results, runs, 2);
    assert.equal(one!.tauAMinusOneShot, null);
    assert.equal(one!.tauBWorkingMinusOneShot, null);
    const dA = ks!.tauAMinusOneShot!;
    assert.equal(dA.perSeed.length, 2);
    assert.ok(Math.abs(dA.perSeed[0]! - 0.3) < 1e-12 && Math.abs(dA.perSeed[1]! - 0.2) < 1e-12, `${dA.perSeed}`);
    assert.ok(Math.abs(dA.mean! - 0.25) < 1e-12);
    assert.equal(dA.test!.n, 2);
    const dB = ks!.tauBWorkingMinusOneShot!;
    assert.ok(Math.abs(dB.perSeed[0]! - 0.1) < 1e-12);
    assert.equal(dB.perSeed[1], null); // K-shot's seed 1 has no working-cell tau
    assert.equal(dB.n, 1);
    // undefined on the one-shot side is undefined too
    const oneShotUndefined = [r("one-shot", "oneshot", 1, 0, m(0.2, null, [0.1, 0.9])), r("kshot K=4", "kshot", 4, 0, m(0.5, 0.4, [0.2, 0.6]))];
    assert.deepEqual(summarize(oneShotUndefined, runs, 2)[1]!.tauBWorkingMinusOneShot!.perSeed, [null]);
    // without any one-shot run there is nothing to pair
    assert.equal(summarize(results.slice(2), runs.slice(1), 2)[0]!.tauAMinusOneShot, null);
  });

  it("gives the high-group tau for every group size, and the report's group size as a quarter of the cells", () => {
    const truth = [0.9, 0.1, 0.5, 0.7, 0.3, 0.8], pred = [3, 1, 2, 5, 4, 6];
    assert.deepEqual(rankMetrics(truth, pred).highGroup, [1, 2, 3, 4, 5].map((k) => highGroupTau(truth, pred, k)));
    assert.deepEqual([1, 2, 9, 10, 100].map(highGroupSize), [1, 1, 2, 3, 25]); // a quarter, rounded half up, at least 1
  });
});
