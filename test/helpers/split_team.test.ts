import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { team } from "../../engine/cpu/wasm/team.js";
import { splitEveryCall } from "./split_team.js";

// The tests that check the threaded kernels on 2 and 3 threads rely on this
// helper to make those threads really run.

describe("splitEveryCall", () => {
  it("sets the team to the given threads, splitting calls of any size regardless of the machine's load, and puts back what it found", () => {
    const before = { threads: team.threads, minWork: team.minWork, adaptive: team.adaptive };
    assert.ok(before.minWork > 0 && before.adaptive, "the defaults this test starts from");
    const restore = splitEveryCall(3);
    assert.deepEqual({ threads: team.threads, minWork: team.minWork, adaptive: team.adaptive }, { threads: 3, minWork: 0, adaptive: false });
    restore();
    assert.deepEqual({ threads: team.threads, minWork: team.minWork, adaptive: team.adaptive }, before);
    const keep = splitEveryCall();
    assert.equal(team.threads, before.threads, "without a count, the team's own");
    keep();
  });
});
