import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MBV2_IMAGENET, MBV2_MINI, Mbv2Space, defaultMbv2Macro } from "../../nas/mbv2/space.js";

// The space's strings and macros, each rule against a hand-written case.

const mini = (searchWidth: boolean) => new Mbv2Space({ inChannels: 1, height: 28, width: 28, classes: 10, searchWidth });
const ops = (op: string) => new Array(21).fill(op).join(",");
const widths = (w: string) => new Array(24).fill(w).join(",");

describe("MobileNetV2 space: architecture strings", () => {
  it("reads spaces around choices and widths, and gives full width where a width space gets none", () => {
    const s = mini(true);
    const spaced = `${new Array(21).fill(" k3e6 ").join(",")}|${new Array(24).fill(" 0.4").join(",")}`;
    assert.deepEqual(s.parse(spaced), [...new Array(21).fill(1), ...new Array(24).fill(1)]);
    assert.deepEqual(s.parse(ops("id")), [...new Array(21).fill(12), ...new Array(24).fill(4)], "widths 1.0 when none are given");
    assert.deepEqual(mini(false).parse(ops("k7e6-se")), new Array(21).fill(11), "no width genes without width search");
    assert.deepEqual(s.parse(`${ops("id")}|${widths("1")}`).slice(21), new Array(24).fill(4), "1 is the grid's 1.0");
  });

  it("refuses each malformed string with one line saying what was expected", () => {
    const s = mini(true);
    const expected = "expected 21 comma-separated choices from k3e3, k3e6, k5e3, k5e6, k7e3, k7e6, k3e3-se, k3e6-se, k5e3-se, k5e6-se, k7e3-se, k7e6-se, id, then '|' and 24 widths from 0.2, 0.4, 0.6, 0.8, 1.0";
    assert.throws(() => s.parse(`${ops("id")}|${widths("0.2")}|x`), { message: `invalid MobileNetV2-space architecture: more than one '|'; ${expected}` });
    assert.throws(() => s.parse(`${ops("id")}|${new Array(23).fill("0.2").join(",")}`), /: 23 width multipliers; expected/);
    assert.throws(() => s.parse(`${ops("id")}|${new Array(23).fill("0.2").join(",")},`), /: width '' is off the grid; expected/);
    assert.throws(() => mini(false).parse(`${ops("id")}|${widths("0.2")}`),
      { message: "invalid MobileNetV2-space architecture: width multipliers given, but this space does not search widths; expected 21 comma-separated choices from k3e3, k3e6, k5e3, k5e6, k7e3, k7e6, k3e3-se, k3e6-se, k5e3-se, k5e6-se, k7e3-se, k7e6-se, id" });
  });

  it("counts its functions, every architecture its own: 13^21 without widths, times 5^24 with them", () => {
    assert.equal(mini(false).genes.length, 21);
    assert.equal(mini(true).genes.length, 45);
    assert.equal(mini(false).distinctFunctions, 13 ** 21);
    assert.equal(mini(true).distinctFunctions, 13 ** 21 * 5 ** 24);
    const g = mini(true).parse(`${ops("k5e3")}|${widths("0.6")}`);
    assert.equal(mini(true).functionKey(g), `${ops("k5e3")}|${widths("0.6")}`);
  });

  it("names its genes by layer", () => {
    const names = mini(true).genes.map((g) => `${g.name}:${g.kind}`);
    assert.equal(names[0], "layer0:op");
    assert.equal(names[20], "layer20:op");
    assert.equal(names[21], "width0:width");
    assert.equal(names[44], "width23:width");
    assert.equal(mini(true).name, "mbv2");
  });
});

describe("MobileNetV2 space: macros", () => {
  it("mini below 128 pixels, imagenet from 128, and refuses an unknown one", () => {
    assert.equal(defaultMbv2Macro(127), "mini");
    assert.equal(defaultMbv2Macro(128), "imagenet");
    assert.equal(new Mbv2Space({ inChannels: 3, height: 128, width: 128, classes: 10, searchWidth: false }).macro, MBV2_IMAGENET);
    assert.equal(mini(false).macro, MBV2_MINI);
    assert.equal(MBV2_IMAGENET.name, "imagenet");
    assert.equal(MBV2_MINI.name, "mini");
    assert.throws(() => new Mbv2Space({ inChannels: 1, height: 28, width: 28, classes: 10, searchWidth: false, macro: "huge" as "mini" }),
      { message: "MobileNetV2 space: unknown macro 'huge'; expected imagenet or mini" });
  });

  it("lays out the mini macro as docs/mbv2-mini.md's table says", () => {
    const l = mini(false).layout(mini(false).parse(ops("k3e6")));
    assert.deepEqual([l.stem, l.stemStride, l.layers[0]!.cout, l.last], [8, 2, 4, 320]);
    const firsts = [1, 5, 9, 13, 17, 21].map((i) => l.layers[i]!);
    assert.deepEqual(firsts.map((x) => x.cout), [8, 10, 20, 24, 48, 80]);
    assert.deepEqual(firsts.map((x) => x.stride), [1, 1, 2, 1, 2, 1]);
    assert.equal(l.layers.filter((x) => x.stride === 2).length, 2);
    assert.deepEqual(l.layers.map((x) => x.kind), ["ir", ...new Array(21).fill("ir")]);
    assert.deepEqual(mini(false).layout(mini(false).parse(ops("id"))).layers.map((x) => x.kind), ["ir", ...new Array(21).fill("identity")]);
  });
});
