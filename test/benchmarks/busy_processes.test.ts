import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { parseBusy, startBusy } from "../../benchmarks/busy_processes.js";

// The other tenants that `bench:train --busy N` and `bench --busy N` run
// beside: one-thread processes that spin, can be paused, and end.

/** The process's state letter from /proc (R running, S sleeping, T stopped), or undefined once it is gone. */
function state(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]![0];
  } catch {
    return undefined;
  }
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 100));

describe("busy processes for the benchmarks", () => {
  it("--busy takes a whole number from 0 to 64, absent means 0", () => {
    assert.equal(parseBusy(["--steps", "3"], "bench"), 0);
    assert.equal(parseBusy(["--busy", "2"], "bench"), 2);
    assert.equal(parseBusy(["--busy", "0"], "bench"), 0);
    for (const bad of ["-1", "1.5", "x", "65"]) assert.throws(() => parseBusy(["--busy", bad], "bench:train"), new RegExp(`bench:train: --busy expects a whole number of busy processes from 0 to 64, received '${bad.replace(".", "\\.")}'`));
    assert.throws(() => parseBusy(["--busy"], "bench"), /received ''/);
  });

  it("spins on a core each, pauses, resumes and ends", { skip: process.platform !== "linux" && "reads /proc" }, async () => {
    const busy = await startBusy(2);
    try {
      assert.equal(busy.pids.length, 2);
      await settle();
      for (const pid of busy.pids) assert.equal(state(pid), "R", "spinning");
      busy.pause();
      await settle();
      for (const pid of busy.pids) assert.equal(state(pid), "T", "paused");
      busy.resume();
      await settle();
      for (const pid of busy.pids) assert.equal(state(pid), "R", "spinning again");
    } finally {
      busy.stop();
    }
    await settle();
    for (const pid of busy.pids) assert.ok(state(pid) === undefined || state(pid) === "Z", "ended");
  });

  it("ends when the process that started it is killed outright, with no exit handler run", { skip: process.platform !== "linux" && "reads /proc" }, async () => {
    // a parent that starts one busy process, prints its pid and waits
    const module = new URL("../../benchmarks/busy_processes.ts", import.meta.url).href;
    const parent = spawn(process.execPath, ["--import", "tsx", "-e", `const b = await (await import(${JSON.stringify(module)})).startBusy(1); console.log(b.pids[0]); setInterval(() => {}, 1000);`],
      { stdio: ["ignore", "pipe", "inherit"] });
    const pid = Number(await new Promise<string>((resolve) => parent.stdout!.once("data", (d: Buffer) => resolve(d.toString()))));
    try {
      assert.equal(state(pid), "R", "spinning");
      parent.kill("SIGKILL");
      const t0 = Date.now();
      while (state(pid) === "R" && Date.now() - t0 < 5000) await settle();
      assert.ok(state(pid) === undefined || state(pid) === "Z", `busy process ${pid} still ${state(pid)} 5 s after its parent was killed`);
    } finally {
      parent.kill("SIGKILL");
      if (state(pid) === "R") process.kill(pid, "SIGKILL");
    }
  });
});
