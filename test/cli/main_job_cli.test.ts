import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { nb201Isomorphism, parseNb201 } from "../../nas/nb201/arch.js";
import { elements, parseXml } from "../helpers/svg.js";
import { KSHOT } from "../helpers/cli.js";
import { tempDir } from "../helpers/temp_dir.js";

describe("kshot run (the main job, scaled down)", () => {
  const out = tempDir("kshot-main-");
  const r = spawnSync(process.execPath, [...KSHOT, "run", "--epochs", "2", "--train-limit", "160", "--val-size", "40",
    "--evaluations", "12", "--population", "4", "--workers", "2", "--max-mflops", "2.5", "--baselines", "2",
    "--retrain-epochs", "1", "--retrain-images", "64", "--out", out], { encoding: "utf8" });

  it("trains, searches, retrains the pick beside random cells, and prints each step", () => {
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /1\/3 training a K=4 NAS-Bench-201 supernet/);
    assert.match(r.stderr, /generation 0: best accuracy/);
    assert.match(r.stderr, /search stopped: 12 evaluations done/);
    assert.doesNotMatch(r.stderr + r.stdout, /9007199254740991|Infinity/);
    assert.match(r.stdout, /stand-alone \(64 images, 1 epochs, tested on 2000\): chosen 0\.\d{4}; random cells under the bound 0\.\d{4} \/ 0\.\d{4} \(mean 0\.\d{4}\)/);
    const summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8"));
    assert.match(r.stdout, summary.retrain.chosen.testAcc > summary.retrain.baselineMean ? /the chosen cell is above the random cells' mean by \d+\.\d\d points; the mean of 2 trainings per cell/ : /the chosen cell is not above the random cells' mean \(by \d+\.\d\d points below\); the mean of 2 trainings per cell/);
    // the committed truth was trained 5 epochs on 4,000 images: these retrainings cannot be placed among its cells
    assert.match(r.stdout, /no percentile among the truth's cells \(.*nb201-fashion-mnist-truth\.csv\): the retraining's protocol is not the truth's \(recipe\.epochs 5 -> 1; trainLimit 4000 -> 64\)/);
  });

  it("prints a front that is non-dominated, within the bound, one row per function, by FLOPs, the chosen row marked", () => {
    const rows = [...r.stdout.matchAll(/^ {2}(0\.\d{4}|1\.0000) +([\d.]+) MFLOPs +\d+ params +(\S+)( <- chosen)?$/gm)]
      .map((m) => ({ acc: Number(m[1]), mflops: Number(m[2]), arch: m[3]!, chosen: m[4] !== undefined }));
    assert.ok(rows.length >= 1, r.stdout);
    for (const a of rows) {
      assert.ok(a.mflops <= 2.5, `${a.arch} over the bound`);
      for (const b of rows) if (a !== b) assert.ok(!(b.acc >= a.acc && b.mflops <= a.mflops && (b.acc > a.acc || b.mflops < a.mflops)), `${b.arch} dominates ${a.arch}`);
    }
    assert.equal(new Set(rows.map((x) => nb201Isomorphism(parseNb201(x.arch)))).size, rows.length, "one row per function");
    assert.deepEqual(rows.map((x) => x.mflops), [...rows.map((x) => x.mflops)].sort((p, q) => p - q));
    const chosen = rows.filter((x) => x.chosen);
    assert.equal(chosen.length, 1);
    assert.match(r.stdout, new RegExp(`chosen: ${chosen[0]!.arch.replace(/[|+]/g, "\\$&")} `));
  });

  it("writes the run directory: checkpoint, front, summary with the retraining, and a report whose plots parse", () => {
    for (const f of ["supernet.safetensors", "front.json", "front.csv", "evaluated.json", "summary.json", "report.html", "front.svg", "loss.svg", "lambda.svg", "retrain.svg"]) {
      assert.ok(existsSync(join(out, f)), f);
    }
    const summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8"));
    assert.equal(summary.search.evaluations, 12);
    assert.equal(summary.retrain.baseline.length, 2);
    assert.equal(summary.retrain.chosen.arch, summary.search.best.arch);
    assert.equal(summary.supernet.epochs.length, 2);
    const front = parseXml(readFileSync(join(out, "front.svg"), "utf8"));
    assert.equal(elements(front, "circle", "points").length, 12, "every evaluated cell");
    assert.equal(elements(front, "circle", "callout").length, 1, "the chosen cell");
  });
});
