import assert from "node:assert/strict";
import { availableParallelism } from "node:os";
import { describe, it } from "node:test";
import { KernelTeam } from "../../engine/cpu/wasm/team.js";
import { wasm } from "../../engine/cpu/wasm/module.js";
import { scaleOnTeam } from "../helpers/team_scale.js";

// A kernel call that traps (a bug: a task read outside the memory) must end
// there: its error reaches the caller, whichever thread's task trapped (a
// helper's alone: the main thread's own range in bounds), and the next call
// runs whole, with no task of the failed call counted towards it and no
// failure of the failed call reported as its own.

// Two tasks of a millisecond or so: the main thread takes the first, and the
// helper, polling since the call before, the second.
const PER = 1 << 20;
const { x, y, values, scale } = scaleOnTeam(2 * PER, PER);

describe("kernel team failures", () => {
  it("a call whose tasks trap throws, and the next call runs whole and right", { skip: availableParallelism() < 2 && "one core" }, (t) => {
    const team = new KernelTeam(2);
    team.adaptive = false;
    try {
      values(x).fill(1.5);
      const t0 = performance.now();
      while (team.tasksRun[1] === undefined || team.tasksRun[1] === 0) {
        scale(team, 1);
        if (performance.now() - t0 > 20_000) return t.skip("the helper thread took no task in 20 s");
      }
      const outside = wasm.memory.buffer.byteLength + (1 << 20);
      // the first task in bounds, the second (the helper's) out
      const halfOutside = wasm.memory.buffer.byteLength - 4 * PER;
      for (let round = 1; round <= 20; round++) {
        assert.throws(() => scale(team, 2, round % 2 === 0 ? outside : halfOutside), /out of bounds|scalarTask failed on a helper thread/, `round ${round}`);
        values(y).fill(0);
        scale(team, round);
        assert.deepEqual([...new Set(values(y))], [1.5 * round], `round ${round}: the call after a failed one`);
      }
    } finally {
      team.stop();
    }
  });
});
