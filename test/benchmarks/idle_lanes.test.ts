import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MAX_PINNED_IDLE_LANES, idleCore, idleLanes, idleReference, isIdle } from "../../benchmarks/idle_lanes.js";

// bench:train --busy N reads each step against the idle one-thread step;
// on a few cores that is the mean of one pinned lane per core.
describe("bench:train's idle lanes", () => {
  it("none without busy processes; one per core, pinned, on a few cores where taskset is; else one unpinned", () => {
    assert.deepEqual(idleLanes(0, 2, true), []);
    assert.deepEqual(idleLanes(2, 2, true), [-1, -2]);
    assert.deepEqual(idleLanes(1, MAX_PINNED_IDLE_LANES, true).map(idleCore), [0, 1, 2, 3]);
    assert.deepEqual(idleLanes(2, MAX_PINNED_IDLE_LANES + 1, true), [0]);
    assert.deepEqual(idleLanes(2, 2, false), [0]);
    assert.deepEqual(idleLanes(2, 1, true), [0]);
    assert.equal(idleCore(0), undefined);
    // the thread counts' lanes (1 and up) are not idle ones
    assert.deepEqual([1, 2, 0, -1].map(isIdle), [false, false, true, true]);
  });

  it("the reference is each turn's mean over the idle lanes", () => {
    assert.deepEqual(idleReference([[40, 50, 60], [60, 70, 100]]), [50, 60, 80]);
    assert.deepEqual(idleReference([[41, 43]]), [41, 43]);
    assert.equal(idleReference([]), undefined);
  });
});
