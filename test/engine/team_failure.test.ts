import assert from "node:assert/strict";
import { availableParallelism } from "node:os";
import { after, describe, it } from "node:test";
import { KernelTeam } from "../../engine/cpu/wasm/team.js";
import { wasm } from "../../engine/cpu/wasm/module.js";
import { f64Words } from "../../engine/cpu/kernels/heap_operands.js";

// A kernel call that traps (a bug: a task read outside the memory) must end
// there: its error reaches the caller, whichever thread's task trapped (a
// helper's alone: the main thread's own range in bounds), and the next call
// runs whole, with no
// task of the failed call counted towards it and no failure of the failed
// call reported as its own.

// Two tasks of a millisecond or so: the main thread takes the first, and the
// helper, polling since the call before, the second.
const N = 1 << 21;
const PER = 1 << 20;
const SCALAR_MUL = 1;
const x = wasm.heap.alloc(4 * N), y = wasm.heap.alloc(4 * N);
after(() => {
  wasm.heap.release(x);
  wasm.heap.release(y);
});

/** y = factor x over N elements in N / PER tasks, from `from` (a pointer past the memory's end makes every task trap). */
function scale(team: KernelTeam, factor: number, from = x): void {
  team.run("scalarTask", [SCALAR_MUL, from, y, N, PER, ...f64Words(factor)], N / PER, 0, N);
}

describe("kernel team failures", () => {
  it("a call whose tasks trap throws, and the next call runs whole and right", { skip: availableParallelism() < 2 && "one core" }, (t) => {
    const team = new KernelTeam(2);
    team.adaptive = false;
    try {
      wasm.f32.fill(1.5, x >>> 2, (x >>> 2) + N);
      const t0 = performance.now();
      while (team.tasksRun[1] === undefined || team.tasksRun[1] === 0) {
        scale(team, 1);
        if (performance.now() - t0 > 20_000) return t.skip("the helper thread took no task in 20 s");
      }
      const outside = wasm.memory.buffer.byteLength + (1 << 20);
      // the first task in bounds, the second (the helper's) out
      const halfOutside = wasm.memory.buffer.byteLength - 4 * PER;
      for (let round = 1; round <= 20; round++) {
        assert.throws(() => scale(team, 2, round % 2 === 0 ? outside : halfOutside), /out of bounds|failed on a helper thread/, `round ${round}`);
        wasm.f32.fill(0, y >>> 2, (y >>> 2) + N);
        scale(team, round);
        const values = new Set(wasm.f32.subarray(y >>> 2, (y >>> 2) + N));
        assert.deepEqual([...values], [1.5 * round], `round ${round}: the call after a failed one`);
      }
    } finally {
      team.stop();
    }
  });
});
