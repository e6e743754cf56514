import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { describe, it } from "node:test";
import { canPin, pinThread, pinnedCommand } from "../../benchmarks/core_pin.js";

// bench:train times its one-thread lanes on one named core (core_pin.ts):
// what the kernel reports as allowed must change, and only for the thread named.

/** The cores thread `tid` of this process may run on, as /proc lists them ("0", "0-1"). */
const allowed = (tid: number) => /^Cpus_allowed_list:\s*(\S+)$/m.exec(readFileSync(`/proc/self/task/${tid}/status`, "utf8"))![1];

// Debian's util-linux installs taskset at /usr/bin/taskset: where it is, bench:train must pin
it("finds taskset where it is installed", { skip: process.platform === "linux" && existsSync("/usr/bin/taskset") ? false : "no /usr/bin/taskset here" }, () => {
  assert.equal(canPin(), true);
});

describe("pinning the one-thread lanes", { skip: canPin() ? false : "no taskset here" }, () => {
  it("pins the named thread to a core and back to all of them", () => {
    const all = allowed(process.pid);
    try {
      pinThread(process.pid, "0");
      assert.equal(allowed(process.pid), "0");
    } finally {
      pinThread(process.pid, all!);
    }
    assert.equal(allowed(process.pid), all);
    assert.throws(() => pinThread(process.pid, String(availableParallelism() + 7)), /taskset could not pin thread \d+ to cores \d+/);
  });

  it("runs a command on one core", () => {
    const [cmd, ...args] = pinnedCommand([process.execPath, "-e", "console.log(require('fs').readFileSync('/proc/self/status', 'utf8'))"], 0);
    const r = spawnSync(cmd!, args, { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^Cpus_allowed_list:\s*0$/m);
  });
});
