import assert from "node:assert/strict";
import { availableParallelism } from "node:os";
import { describe, it } from "node:test";
import { LoadWatch } from "../../engine/cpu/wasm/machine_load.js";
import { KernelTeam } from "../../engine/cpu/wasm/team.js";
import { scaleOnTeam } from "../helpers/team_scale.js";

// How long the kernel team's threads poll for work before they sleep:
// 5 ms, or 0.5 ms while the team is crowded (machine_load.ts).

/** A load watch that reports a fixed machine: the whole team runs, crowded or not. */
class FixedLoad extends LoadWatch {
  constructor(public isCrowded: boolean) {
    super(() => null, 2);
  }
  override threads(size: number): number {
    return size;
  }
  override crowded(): boolean {
    return this.isCrowded;
  }
}

const { x, y, values, scale: scaleBy } = scaleOnTeam(1 << 16, 1 << 10);
/** y = 3 x through `team`. */
const scale = (team: KernelTeam) => scaleBy(team, 3);

/** Process CPU milliseconds (all threads) while this thread sleeps `ms`. */
function cpuWhileAsleep(ms: number): number {
  const u0 = process.cpuUsage();
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
  const u1 = process.cpuUsage(u0);
  return (u1.user + u1.system) / 1e3;
}

describe("kernel team polling", () => {
  it("polls 5 ms while the team fits the free cores, 0.5 ms while it is crowded, and while fixed, 5 ms", () => {
    const load = new FixedLoad(false);
    const team = new KernelTeam(2, load);
    assert.equal(team.spinMs, 5, "before its first call");
    try {
      values(x).fill(1.5);
      scale(team);
      assert.equal(team.spinMs, 5);
      assert.deepEqual([...new Set(values(y))], [4.5]);
      load.isCrowded = true;
      scale(team);
      assert.equal(team.spinMs, 0.5);
      team.adaptive = false;
      scale(team);
      assert.equal(team.spinMs, 5, "a fixed team does not follow the load");
    } finally {
      team.stop();
    }
  });

  it("its helper threads sleep after the polling time the team sets", { skip: availableParallelism() < 2 && "one core" }, (t) => {
    const load = new FixedLoad(false);
    const team = new KernelTeam(2, load);
    try {
      // until the helper has started and taken part in a call
      const t0 = performance.now();
      while (team.tasksRun[1] === undefined || team.tasksRun[1] === 0) {
        scale(team);
        if (performance.now() - t0 > 20_000) return t.skip("the helper thread took no task in 20 s");
      }
      // the CPU the process uses in the 40 ms after a call: the helper's polling, little else
      const after = (crowded: boolean) => {
        load.isCrowded = crowded;
        scale(team);
        return cpuWhileAsleep(40);
      };
      const relaxed: number[] = [], crowded: number[] = [];
      for (let i = 0; i < 7; i++) {
        relaxed.push(after(false));
        crowded.push(after(true));
      }
      const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1]!;
      if (median(relaxed) < 3) return t.skip(`polling 5 ms took a median ${median(relaxed).toFixed(1)} ms of CPU: the machine is too busy to tell`);
      assert.ok(median(crowded) < 2, `crowded, the process used a median ${median(crowded).toFixed(2)} ms of CPU after a call (5 ms: ${median(relaxed).toFixed(2)})`);
    } finally {
      team.stop();
    }
  });
});
