import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { describe, it } from "node:test";
import { readCsv } from "../../data/csv.js";
import { nb201Isomorphism, parseNb201 } from "../../nas/nb201/arch.js";
import { Nb201Space } from "../../nas/nb201/space.js";

const TABLE = "../shared/data/nb201-test-accuracy.csv";
const iso = (s: string) => nb201Isomorphism(parseNb201(s));

describe("NAS-Bench-201 isomorphism", () => {
  it("matches hand-derived classes: skips pass their input through, edges from a zero node are zero", () => {
    // node 1 = conv(0); node 2 = skip(0) + none = "#+0"; node 3 sums none, skip(1), skip(2), sorted as strings
    assert.equal(iso("|nor_conv_3x3~0|+|skip_connect~0|none~1|+|none~0|skip_connect~1|skip_connect~2|"), "#+#+0+(0)@nor_conv_3x3");
    // node 1 is zero, so the conv on edge 1->3 adds nothing: the same function as with none there
    assert.equal(iso("|none~0|+|skip_connect~0|none~1|+|none~0|nor_conv_3x3~1|skip_connect~2|"),
      iso("|none~0|+|skip_connect~0|none~1|+|none~0|none~1|skip_connect~2|"));
    // different ops on one edge are different functions
    assert.notEqual(iso("|nor_conv_3x3~0|+|none~0|skip_connect~1|+|none~0|none~1|skip_connect~2|"),
      iso("|nor_conv_1x1~0|+|none~0|skip_connect~1|+|none~0|none~1|skip_connect~2|"));
  });

  it("equals the isomorphism column of the NAS-Bench-201 table for all 15,625 cells, 6,466 classes",
    { skip: !existsSync(TABLE) && "the shared NAS-Bench-201 table is not beside the repository" }, () => {
      const t = readCsv(TABLE);
      const a = t.columns.indexOf("arch"), k = t.columns.indexOf("isomorphism");
      assert.equal(t.rows.length, 15625);
      for (const r of t.rows) assert.equal(iso(r[a]!), r[k], r[a]);
      assert.equal(new Set(t.rows.map((r) => r[k])).size, 6466);
    });

  it("the space counts 6,466 distinct functions and keys its genes by them", () => {
    const space = new Nb201Space({ C: 8, N: 1, inChannels: 1, classes: 10, height: 28, width: 28 });
    assert.equal(space.distinctFunctions, 6466);
    const a = space.parse("|none~0|+|skip_connect~0|none~1|+|none~0|nor_conv_3x3~1|skip_connect~2|");
    const b = space.parse("|avg_pool_3x3~0|+|skip_connect~0|none~1|+|none~0|none~1|skip_connect~2|");
    assert.equal(space.functionKey(a), "#+#+#+0");
    assert.equal(space.functionKey(b), "#+#+#+0");
  });
});
