import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { memory } from "../../engine/index.js";
import { cellFacts, meanSd, opDependence, pairedTest, predictorMetrics, rankMetrics, summarize, tauWithinStrata, type RankStudyProtocol, type StudyResult, type StudyRunResult } from "../../nas/study/statistics.js";
import { runRankStudy } from "../../app/rank_study.js";
import { runTruth } from "../../app/truth.js";
import { readTruth, sampleTruthCells, truthCeiling, truthColumns, type TruthProtocol, type TruthRow } from "../../nas/study/truth.js";
import { STANDALONE_RECIPE, trainStandalone } from "../../nas/standalone.js";
import { head } from "../../data/dataset.js";
import { DATA_RECIPES, EMBEDDED_FASHION_MNIST, loadDataset } from "../../train/datasets.js";
import type { ProgressSink } from "../../nas/progress.js";
import { elements, parseXml } from "../helpers/svg.js";
import { studyFigures, studyFollows, studyTable, studyVerdicts, writeStudyReport } from "../../report/study_report.js";
import { KSHOT } from "../helpers/cli.js";

const quiet: ProgressSink = { log: () => {}, update: () => {} };
const FMNIST = { channels: 1, height: 28, width: 28, classes: 10 };

/** O(n^2) Kendall tau-a, straight from Eq. 18. */
function tauARef(x: readonly number[], y: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) for (let j = i + 1; j < x.length; j++) s += Math.sign(x[i]! - x[j]!) * Math.sign(y[i]! - y[j]!);
  return s / ((x.length * (x.length - 1)) / 2);
}

describe("study truth", () => {
  const protocol: TruthProtocol = {
    cells: 3, seeds: 2, sampleSeed: 4, C: 2, N: 1, dataset: "fashion-mnist", trainLimit: 48, testLimit: 40,
    recipe: { ...STANDALONE_RECIPE, epochs: 1, batchSize: 16 },
  };

  it("samples one cell per isomorphism class, a larger count extending a smaller one's list", () => {
    const a = sampleTruthCells({ ...protocol, cells: 20 }, FMNIST), b = sampleTruthCells({ ...protocol, cells: 30 }, FMNIST);
    assert.deepEqual(b.slice(0, 20), a);
    assert.equal(new Set(b).size, 30);
  });

  it("resumes after an interruption without retraining finished trainings, and writes the table", async () => {
    const csv = join(mkdtempSync(join(tmpdir(), "kshot-truth-")), "truth.csv");
    let finished = 0;
    const interrupting: ProgressSink = { log: () => {}, update: () => { if (++finished === 2) throw new Error("interrupted"); } };
    await assert.rejects(runTruth(protocol, csv, { workers: 2, sink: interrupting }), /interrupted/);
    const journal = readFileSync(`${csv}.partial.jsonl`, "utf8").trim().split("\n").map((l) => JSON.parse(l) as { arch: string; seed: number; acc: number });
    assert.ok(journal.length >= 2, `${journal.length} trainings journalled`);

    const lines: string[] = [];
    const r = await runTruth(protocol, csv, { workers: 2, sink: { log: (l) => lines.push(l), update: () => {} } });
    assert.equal(r.trained, 6 - journal.length, "only the trainings missing from the journal ran");
    assert.match(lines[0]!, new RegExp(`${journal.length} trainings already in`));
    const rows = readTruth(csv);
    assert.deepEqual(rows.map((x) => x.arch), sampleTruthCells(protocol, FMNIST));
    for (const e of journal) assert.equal(rows.find((x) => x.arch === e.arch)!.accs[e.seed], Number(e.acc.toFixed(4)), "journalled results kept");
    for (const row of rows) assert.ok(Math.abs(row.mean - (row.accs[0]! + row.accs[1]!) / 2) < 1e-4);
    assert.deepEqual(readFileSync(csv, "utf8").split("\n")[0]!.split(","), truthColumns(2));
    assert.equal(existsSync(`${csv}.partial.jsonl`), false, "the journal goes once the table is whole");
    // each seed column is the training of that seed: the same cell trained here directly, seed by seed, gives those numbers
    const data = loadDataset("fashion-mnist", EMBEDDED_FASHION_MNIST);
    const direct = { train: head(data.train, 48), test: head(data.test, 40), recipe: DATA_RECIPES["fashion-mnist"] };
    // a cell whose two seeds end apart (tiny trainings often predict one class whatever the seed)
    const telling = rows.find((x) => x.accs[0] !== x.accs[1]);
    assert.ok(telling !== undefined, "some cell's seeds differ");
    for (const seed of [0, 1]) {
      const alone = await trainStandalone(telling.arch, { C: 2, N: 1 }, direct, protocol.recipe, seed, quiet, "direct");
      assert.equal(telling.accs[seed], Number(alone.testAcc.toFixed(4)), `acc_seed${seed} is seed ${seed}'s training`);
    }

    const again = await runTruth(protocol, csv, { workers: 1, sink: quiet });
    assert.equal(again.trained, 0, "a finished table trains nothing");
    await assert.rejects(runTruth({ ...protocol, recipe: { ...protocol.recipe, epochs: 2 } }, csv, { workers: 1, sink: quiet }), /another protocol/);
  });

  it("measures its noise ceiling seed against seed, never a seed against itself (a hand case)", () => {
    // seed 0 orders the four cells 1 < 2 < 3 < 4, seed 1 as 2 < 1 < 4 < 3: 4 concordant pairs, 2 discordant: tau (4 - 2) / 6;
    // ranks differ by 1 everywhere: Spearman 1 - 6 * 4 / (4 * 15) = 0.6
    const row = (arch: string, accs: number[]): TruthRow => ({ arch, accs, mean: (accs[0]! + accs[1]!) / 2, macs: 1, params: 1, seconds: 1 });
    const c = truthCeiling([row("a", [0.1, 0.2]), row("b", [0.2, 0.1]), row("c", [0.3, 0.4]), row("d", [0.4, 0.3])])!;
    assert.ok(Math.abs(c.kendallTauB - 1 / 3) < 1e-12 && Math.abs(c.spearman - 0.6) < 1e-12, JSON.stringify(c));
    assert.equal(c.pairs, 1);
    assert.equal(truthCeiling([row("a", [0.1, 0.2]), row("b", [0.2, 0.1])]), null, "fewer than 3 cells: no ceiling");
  });

  it("reads a table strictly: a duplicated cell or an accuracy outside [0, 1] names the line", () => {
    const dir = mkdtempSync(join(tmpdir(), "kshot-truth-"));
    const head = truthColumns(2).join(",");
    writeFileSync(join(dir, "dup.csv"), `${head}\na,0.5,0.5,0.5,1,1,1\na,0.5,0.5,0.5,1,1,1\n`);
    assert.throws(() => readTruth(join(dir, "dup.csv")), /line 3: a appears twice/);
    writeFileSync(join(dir, "range.csv"), `${head}\na,0.5,1.5,0.5,1,1,1\n`);
    assert.throws(() => readTruth(join(dir, "range.csv")), /line 2: acc_seed1 is '1.5', expected a number in \[0, 1\]/);
  });
});

describe("study rank", () => {
  // 6 cells with made-up, distinct truths: the study's wiring is under test here, not the truth
  const archs = sampleTruthCells({ cells: 6, sampleSeed: 1, C: 2, N: 1 }, FMNIST);
  const truth: TruthRow[] = archs.map((arch, i) => ({ arch, accs: [0.7 + 0.03 * i, 0.7 + 0.03 * i], mean: 0.7 + 0.03 * i, macs: 1, params: 1, seconds: 1 }));
  const protocol: RankStudyProtocol = {
    runs: [{ mode: "oneshot", K: 1 }, { mode: "kshot", K: 2 }], seeds: [0],
    budget: { C: 2, N: 1, epochs: 2, warmupEpochs: 1, batchSize: 16, trainLimit: 80, valSize: 32, lr: 0.05, simplexLr: 0.05, m: 2, simplexBatch: 16, hidden: 8 },
    truth: { path: "made-up", cells: 6 },
  };
  const strip = (s: StudyResult) => JSON.stringify(s.results.map(({ seconds: _s, epochs, ...r }) => ({ ...r, epochs: epochs.map(({ seconds: _e, ...e }) => e) })));

  it("runs end to end: metrics against the truth, identical for the same seeds, nothing left allocated", async () => {
    const before = memory().tensors;
    const a = await runRankStudy(protocol, truth, mkdtempSync(join(tmpdir(), "kshot-study-")), quiet);
    assert.equal(memory().tensors, before, "every supernet, simplex-net and optimiser state is freed");
    assert.deepEqual(a.results.map((r) => r.label), ["one-shot", "kshot K=2"]);
    for (const r of a.results) {
      assert.equal(r.supernetAcc.length, 6);
      assert.ok(Math.abs(r.metrics.tauA! - tauARef(a.truth.mean, r.supernetAcc)) < 1e-12);
      assert.equal(r.lambda[0]!.length, r.K);
    }
    const [one, k2] = a.results;
    assert.ok(Math.abs(a.summary[1]!.tauAMinusOneShot!.mean! - (k2!.metrics.tauA! - one!.metrics.tauA!)) < 1e-12);
    assert.deepEqual(a.summary[1]!.tauBWorkingMinusOneShot!.perSeed, [k2!.metrics.tauBWorking! - one!.metrics.tauBWorking!], "tau-b on working cells, paired the same way");
    assert.equal(a.summary[0]!.tauBWorkingMinusOneShot, null, "one-shot has no difference to itself");
    const verdict = studyVerdicts(a)[0]!;
    assert.match(verdict, /^kshot K=2 vs one-shot: .* over 1 seed\(s\) .*: not distinguishable from one-shot$/, "one seed never calls a difference");
    const twoSeeds = (diffs: number[]) => studyVerdicts({ ...a, summary: [{ ...a.summary[1]!, tauAMinusOneShot: { ...meanSd(diffs), perSeed: diffs, test: pairedTest(diffs) } }] })[0]!;
    // paired t: |mean| / (sd / sqrt(n)) with n - 1 degrees of freedom
    assert.match(twoSeeds([0.10, 0.12, 0.11]), /: above one-shot$/); // t = 0.11 / 0.00577 = 19.1, p = 0.0027
    assert.match(twoSeeds([0.15, -0.05, 0.10]), /: not distinguishable/); // t = 1.1
    assert.match(twoSeeds([-0.10, -0.11, -0.12]), /: below one-shot$/);
    assert.match(twoSeeds([-0.063, -0.082]), /t = -7\.63, p = 0\.083; sign test 0 up, 2 down, p = 0\.50: not distinguishable/);
    const b = await runRankStudy(protocol, truth, mkdtempSync(join(tmpdir(), "kshot-study-")), quiet);
    assert.equal(strip(b), strip(a));
  });

  it("scores along training (--score-every) without changing the training, and resumes its curve", async () => {
    const every = { ...protocol, scoreEvery: 2 }; // 48 training images in batches of 16: 3 supernet steps an epoch, 6 in all
    const plain = await runRankStudy(protocol, truth, mkdtempSync(join(tmpdir(), "kshot-study-")), quiet);
    const curved = await runRankStudy(every, truth, mkdtempSync(join(tmpdir(), "kshot-study-")), quiet);
    for (const r of curved.results) assert.deepEqual(r.curve!.map((c) => c.step), [2, 4, 6], r.label);
    const noCurve = (s: StudyResult) => JSON.parse(strip(s)).map(({ curve: _c, ...r }: { curve?: unknown }) => r);
    assert.deepEqual(noCurve(curved), noCurve(plain), "the same training and final scores as without scoring along the way");
    // one-shot has no simplex step after its last supernet step: its last point is its final ranking
    const one = curved.results.find((r) => r.mode === "oneshot")!;
    assert.deepEqual(one.curve!.at(-1)!.metrics, one.metrics);
    assert.ok(Math.abs(one.curve!.at(-1)!.meanAcc - one.supernetAcc.reduce((a, b) => a + b, 0) / one.supernetAcc.length) < 1e-15);

    const dir = mkdtempSync(join(tmpdir(), "kshot-study-"));
    let kshotSteps = 0;
    const stopping: ProgressSink = { log: () => {}, update: (l) => { if (l.includes("kshot K=2") && l.includes("epoch 2/2") && ++kshotSteps === 3) throw new Error("interrupted"); } };
    await assert.rejects(runRankStudy(every, truth, dir, stopping), /interrupted/);
    const resumed = await runRankStudy(every, truth, dir, quiet);
    assert.deepEqual(resumed.results.map((r) => r.curve), curved.results.map((r) => r.curve), "no point lost or scored twice");
    const svg = parseXml(studyFigures(resumed).get("tau_vs_steps.svg")!);
    const lines = elements(svg, "polyline", "line");
    assert.ok(lines.length >= 2, "a line per run, and the predictors flat beside them");
  });

  it("runs side by side on lanes (one kernel thread each) with the same bits, in the protocol's order, lanes' progress relayed", async () => {
    const twoSeeds = { ...protocol, seeds: [0, 1], scoreEvery: 3 };
    const alone = await runRankStudy(twoSeeds, truth, mkdtempSync(join(tmpdir(), "kshot-study-")), quiet);
    const lines: string[] = [];
    const dir = mkdtempSync(join(tmpdir(), "kshot-study-"));
    const laned = await runRankStudy(twoSeeds, truth, dir, { log: (l) => lines.push(l), update: () => {} }, { lanes: 2 });
    assert.deepEqual(laned.results.map((r) => `${r.label}#${r.seed}`), ["one-shot#0", "kshot K=2#0", "one-shot#1", "kshot K=2#1"]);
    assert.equal(strip(laned), strip(alone));
    assert.deepEqual(laned.results.map((r) => r.curve), alone.results.map((r) => r.curve));
    assert.equal(strip(JSON.parse(readFileSync(join(dir, "study.json"), "utf8")) as StudyResult), strip(alone), "study.json holds every lane's run");
    for (const tag of ["[1/4] one-shot, seed 0: step 3", "[4/4] kshot K=2, seed 1: step 6", "[3/4] one-shot, seed 1: tau-a"]) {
      assert.ok(lines.some((l) => l.startsWith(tag)), `a lane's line '${tag}' reaches the sink:\n${lines.join("\n")}`);
    }
  });

  it("resumes: finished runs are kept, the interrupted one continues from its checkpoint, the report renders", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kshot-study-"));
    let kshotSteps = 0;
    const interrupting: ProgressSink = { log: () => {}, update: (l) => { if (l.includes("kshot K=2") && l.includes("epoch 2/2") && ++kshotSteps === 3) throw new Error("interrupted"); } };
    await assert.rejects(runRankStudy(protocol, truth, dir, interrupting), /interrupted/);
    const partial = JSON.parse(readFileSync(join(dir, "study.json"), "utf8")) as StudyResult;
    assert.deepEqual(partial.results.map((r) => r.label), ["one-shot"]);
    const lines: string[] = [];
    const done = await runRankStudy(protocol, truth, dir, { log: (l) => lines.push(l), update: () => {} });
    assert.ok(lines.some((l) => /kshot K=2, seed 0: resuming .* after epoch 1/.test(l)), lines.join("\n"));
    assert.equal(JSON.stringify(done.results[0]), JSON.stringify(partial.results[0]), "the finished run is not redone");
    const fresh = await runRankStudy(protocol, truth, mkdtempSync(join(tmpdir(), "kshot-study-")), quiet);
    assert.equal(strip(done), strip(fresh), "a resumed study ends where an uninterrupted one does");

    writeStudyReport(dir);
    const html = readFileSync(join(dir, "report.html"), "utf8");
    for (const f of ["tau_by_mode.svg", "tau_vs_k.svg", "scatter.svg", "high_group.svg", "lambda_K2.svg"]) {
      const svg = parseXml(readFileSync(join(dir, f), "utf8"));
      assert.ok(svg.getElementsByTagName("title").length > 0, f);
    }
    const bars = elements(parseXml(readFileSync(join(dir, "tau_by_mode.svg"), "utf8")), "rect", "bars");
    assert.equal(bars.length, 2, "one bar per run");
    const dots = elements(parseXml(readFileSync(join(dir, "scatter.svg"), "utf8")), "circle", "points");
    assert.equal(dots.length, 12, "6 cells x 2 runs");
    const chance = { ...done, truth: { ...done.truth, mean: [0.1, ...done.truth.mean.slice(1)] } };
    const squashed = parseXml(studyFigures(chance).get("scatter.svg")!);
    assert.equal(elements(squashed, "circle", "points").length, 10, "a cell far below the best is left off the scatter");
    assert.match(squashed.getElementsByTagName("title")[0]!.textContent!, /1 cell\(s\) > 0.2 below the best not shown/);
    assert.match(html, /kshot K=2/);
    await assert.rejects(runRankStudy({ ...protocol, seeds: [0, 1] }, truth, dir, quiet), /another protocol/);
  });
});

describe("kshot study (CLI)", () => {
  const kshot = (...args: string[]) => spawnSync(process.execPath, [...KSHOT, ...args], { encoding: "utf8" });
  it("refuses bad flags with a usage error", () => {
    for (const [args, msg] of [
      [["study", "rank", "--modes", "oneshot,bogus"], /unknown mode 'bogus'/],
      [["study", "rank", "--val-size", "5000", "--train-limit", "4000"], /leaves no training images/],
      [["study", "truth", "--cells", "2"], /--cells expects/],
      [["study", "nope"], /unknown subcommand 'nope'/],
    ] as const) {
      const r = kshot(...args);
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, msg);
    }
  });
});

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
    assert.match(table, /\| one-shot +\| 1 +\| 0\.000 ± 0\.000 \| n\/a \(scores constant in every seed\) \|/);
    assert.doesNotMatch(table, /NaN|undefined|null/);
    // K=2's tau-a by hand: of the 6 pairs only cells 2 and 3 (truth 0.75 > 0.72, scores 0.45 < 0.5) disagree: (5 - 1) / 6; one-shot's 0
    assert.match(studyVerdicts(s)[0]!, /^kshot K=2 vs one-shot: tau-a \+0\.667 ± 0\.000 over 1 seed\(s\) \(per seed 0\.667\); no interval from one seed; t-test n\/a; sign test 1 up, 0 down, p = 1\.0: not distinguishable from one-shot$/);
    const undefinedDiff = { ...s, summary: [{ ...s.summary[1]!, tauAMinusOneShot: { mean: null, sd: null, n: 0, perSeed: [null], test: null } }] };
    assert.deepEqual(studyVerdicts(undefinedDiff), ["kshot K=2 vs one-shot: n/a (tau-a is undefined in every paired seed: constant scores)",
      "kshot K=2 vs one-shot: n/a (tau-b on working cells is undefined in every paired seed: constant scores)"], "one-shot's constant scores leave tau-b undefined, so its difference too");
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
      summary: summarize([result], [{ mode: "oneshot", K: 1 }], 1), seconds: 1,
    };
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
