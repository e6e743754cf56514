import { test } from "node:test";
import assert from "node:assert/strict";
import { QUICK, mainFlags } from "../../cli/main_job.js";

test("--quick budgets: the MobileNetV2 supernet gets the 500 steps it needs to leave chance (docs/mbv2-mini.md), NAS-Bench-201 stays a minute's", () => {
  const steps = (q: Record<string, string>) => Number(q["epochs"]) * Math.ceil((Number(q["train-limit"]) - Number(q["val-size"])) / 64);
  assert.equal(steps(QUICK.mbv2), 10 * 63);
  assert.ok(steps(QUICK.mbv2) >= 500);
  assert.equal(steps(QUICK.nb201), 6 * 25);
  assert.notEqual(QUICK.mbv2["out"], QUICK.nb201["out"], "a quick run of one space never resumes the other's directory");
  for (const q of Object.values(QUICK)) for (const name of Object.keys(q)) assert.ok(name in mainFlags, `--${name} is a flag of kshot run`);
});
