import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { TorchPeer } from "../../benchmarks/torch_peer.js";

// The protocol between bench:train and its PyTorch peer (peers/torch_train.py),
// against stub peers in Node that speak it (or fail to): the benchmark must
// get each step's time, and a peer that breaks must end in one line, never a hang.

const dir = mkdtempSync(join(tmpdir(), "kshot-peer-"));
function stub(name: string, body: string): string[] {
  const file = join(dir, `${name}.mjs`);
  writeFileSync(file, body);
  return [process.execPath, file];
}

/** Answers each case name with a time that encodes it and the thread count it was started with; exits 4 without glibc's malloc settings. */
const good = stub("good", `
import { createInterface } from "node:readline";
if (process.env.MALLOC_MMAP_THRESHOLD_ !== String(2 ** 25) || process.env.MALLOC_TOP_PAD_ !== String(2 ** 28)) process.exit(4);
const args = process.argv.slice(2), threads = Number(args[args.indexOf("--threads") + 1]), cases = args[args.indexOf("--cases") + 1].split(",");
console.log(JSON.stringify({ ready: true, torch: "stub" }));
for await (const line of createInterface({ input: process.stdin })) {
  const at = cases.indexOf(line.trim());
  if (at < 0) process.exit(3);
  console.log(JSON.stringify({ ms: 100 * threads + at }));
}
`);

describe("bench:train's PyTorch peer", () => {
  it("starts with the cases and thread count and returns each step's milliseconds", async () => {
    const peer = await TorchPeer.start(good, ["recipe", "supernet-cifar"], 2);
    assert.ok(peer instanceof TorchPeer, String(peer));
    try {
      assert.equal(await peer.step("supernet-cifar"), 201);
      assert.equal(await peer.step("recipe"), 200);
      await assert.rejects(peer.step("unknown"), /the PyTorch peer exited \(code 3\)/);
    } finally {
      peer.stop();
    }
  });

  it("reports a peer that exits, prints something else or answers without a time, in one line", async () => {
    assert.equal(await TorchPeer.start(stub("exits", "process.exit(1);"), ["recipe"], 1), "the PyTorch peer did not start: the PyTorch peer exited (code 1)");
    assert.equal(await TorchPeer.start(stub("chatty", "console.log('loading torch');"), ["recipe"], 1),
      "the PyTorch peer did not start: the PyTorch peer printed 'loading torch', not a JSON line");
    assert.equal(await TorchPeer.start(stub("unready", "console.log(JSON.stringify({ ms: 1 }));"), ["recipe"], 1),
      'the PyTorch peer did not start: it printed {"ms":1}');
    assert.equal(await TorchPeer.start(stub("killed", "process.kill(process.pid, 'SIGTERM'); setTimeout(() => {}, 5000);"), ["recipe"], 1),
      "the PyTorch peer did not start: the PyTorch peer exited (signal SIGTERM)");
    assert.equal(await TorchPeer.start(stub("long", "console.log('x'.repeat(300));"), ["recipe"], 1),
      `the PyTorch peer did not start: the PyTorch peer printed '${"x".repeat(200)}', not a JSON line`);
    const timeless = await TorchPeer.start(stub("timeless", `
import { createInterface } from "node:readline";
console.log(JSON.stringify({ ready: true }));
for await (const _ of createInterface({ input: process.stdin })) console.log(JSON.stringify({ seconds: 1 }));
`), ["recipe"], 1);
    assert.ok(timeless instanceof TorchPeer, String(timeless));
    try {
      await assert.rejects(timeless.step("recipe"), /the PyTorch peer answered a step of recipe without its time/);
    } finally {
      timeless.stop();
    }
  });

  it("gives up on a peer that says nothing for its time limit, at start and at a step", async () => {
    assert.equal(await TorchPeer.start(stub("mute", "setTimeout(() => {}, 60000);"), ["recipe"], 1, 0.3), "the PyTorch peer did not start: the PyTorch peer said nothing for 0.3 s");
    const stalls = await TorchPeer.start(stub("stalls", "console.log(JSON.stringify({ ready: true })); setTimeout(() => {}, 60000);"), ["recipe"], 1, 0.3);
    assert.ok(stalls instanceof TorchPeer, String(stalls));
    try {
      await assert.rejects(stalls.step("recipe"), /the PyTorch peer said nothing for 0.3 s/);
    } finally {
      stalls.stop();
    }
  });
});
