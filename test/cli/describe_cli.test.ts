import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import { KSHOT } from "../helpers/cli.js";

const kshot = (...args: string[]) => spawnSync(process.execPath, [...KSHOT, "describe", ...args], { encoding: "utf8" });

describe("kshot describe (CLI)", () => {
  it("prints params, MACs and NAS-Bench-201 FLOPs as JSON", () => {
    const r = kshot("--space", "nb201", "--arch", "|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|",
      "--C", "16", "--N", "5", "--input", "3x32x32", "--classes", "10", "--json");
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal(j.mflops.toFixed(5), "15.64737");
    assert.equal(j.macs, 15647360);
    const m = JSON.parse(kshot("--model", "mobilenetv2", "--input", "3x224x224", "--classes", "1000", "--json").stdout);
    assert.deepEqual([m.params, m.macs], [3504872, 300774272]);
    const s = JSON.parse(kshot("--space", "mbv2", "--arch", new Array(21).fill("k3e6").join(","), "--input", "3x224x224", "--classes", "1000", "--json").stdout);
    assert.deepEqual([s.params, s.macs], [4708840, 539944448]);
  });

  it("counts the mini macro below 128 px (PyTorch's parameter count of the same network), and the ImageNet one when told", () => {
    const allK3e6 = new Array(21).fill("k3e6").join(",");
    const mini = JSON.parse(kshot("--space", "mbv2", "--arch", allK3e6, "--input", "1x28x28", "--json").stdout);
    assert.equal(mini.params, 244786); // test/reference/mbv2_torch.py on this architecture's layout
    assert.deepEqual(JSON.parse(kshot("--space", "mbv2", "--arch", allK3e6, "--input", "1x28x28", "--macro", "mini", "--json").stdout), mini);
    const imagenet = JSON.parse(kshot("--space", "mbv2", "--arch", allK3e6, "--input", "1x28x28", "--macro", "imagenet", "--json").stdout);
    assert.ok(imagenet.params > 10 * mini.params);
  });

  it("a malformed architecture fails with one line saying what was expected", () => {
    for (const [args, msg] of [
      [["--space", "nb201", "--arch", "|conv~0|+|none~0|none~1|+|none~0|none~1|none~2|"], /unknown op 'conv'; expected \|op~0\|/],
      [["--space", "mbv2", "--arch", "k3e6,id"], /2 layer choices; expected 21 comma-separated choices/],
      [["--space", "mbv2", "--arch", `${new Array(21).fill("id").join(",")}|${new Array(24).fill("0.5").join(",")}`], /width '0.5' is off the grid/],
      [["--input", "32x32"], /--input expects CxHxW/],
      [["--input", "0x0x0"], /--input expects CxHxW of positive sizes/],
      [["--input", "3x032x32"], /--input expects CxHxW of positive sizes/],
      [["--space", "mbv2", "--arch", "id", "--macro", "tiny"], /--macro expects imagenet or mini, received 'tiny'/],
      [["--space", "nb201", "--arch", "x", "--macro", "mini"], /--macro does not apply with --space nb201/],
    ] as [string[], RegExp][]) {
      const r = kshot(...args);
      assert.equal(r.status, 2);
      assert.equal(r.stderr.trim().split("\n").length, 1);
      assert.match(r.stderr, msg);
    }
  });
});
