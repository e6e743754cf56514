import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";

describe("kshot run (the main job, scaled down)", () => {
  it("trains a supernet, searches it with the pool, prints the front and the choice, and writes the files", () => {
    const out = mkdtempSync(join(tmpdir(), "kshot-main-"));
    const r = spawnSync(process.execPath, ["bin/kshot.mjs", "run", "--epochs", "1", "--train-limit", "160", "--val-size", "40",
      "--evaluations", "8", "--population", "4", "--workers", "2", "--max-mflops", "5", "--out", out], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /1\/2 training a K=4 NAS-Bench-201 supernet/);
    assert.match(r.stderr, /generation 0: best accuracy/);
    assert.match(r.stdout, /Pareto front/);
    assert.match(r.stdout, /chosen: \|/);
    for (const f of ["supernet.safetensors", "front.json", "front.csv", "summary.json"]) assert.ok(existsSync(join(out, f)), f);
    const summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8"));
    assert.equal(summary.evaluations, 8);
    assert.ok(summary.best_acc >= 0 && summary.best_acc <= 1);
  });
});
