import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { Nb201Space } from "../../nas/nb201/space.js";
import { KSHOT } from "../helpers/cli.js";
import { tempDir } from "../helpers/temp_dir.js";

const kshot = (...args: string[]) => spawnSync(process.execPath, [...KSHOT, ...args], { encoding: "utf8" });
const TABLE = "../shared/data/nb201-test-accuracy.csv";
const dir = tempDir("kshot-rank-");

describe("kshot search --oracle (CLI)", { skip: !existsSync(TABLE) && "the shared NAS-Bench-201 table is not beside the repository" }, () => {
  it("finds a near-optimal CIFAR-10 architecture in 1,000 evaluations", () => {
    const r = kshot("search", "--oracle", TABLE, "--column", "cifar10", "--evaluations", "1000", "--seed", "0", "--json");
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout.trim().split("\n").pop()!);
    assert.equal(j.evaluations, 1000);
    assert.ok(j.bestAcc >= 94.0 && j.bestAcc <= 94.3733, `best ${j.bestAcc}`);
  });

  it("keeps the best architecture under a hard FLOPs bound", () => {
    const r = kshot("search", "--oracle", TABLE, "--max-mflops", "20", "--evaluations", "300", "--seed", "2", "--json");
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout.trim().split("\n").pop()!);
    const space = new Nb201Space({ C: 16, N: 5, inChannels: 3, classes: 10, height: 32, width: 32 });
    assert.ok(space.cost(space.parse(j.bestArch)).nb201Mflops <= 20);
  });
});

describe("kshot rank (CLI)", () => {
  it("prints the correlations over the architectures both files share", () => {
    writeFileSync(join(dir, "truth.csv"), "arch,acc\na,1\nb,2\nc,3\nd,4\nonly_truth,9\n");
    writeFileSync(join(dir, "pred.csv"), "arch,val_acc\nd,0.9\nc,0.8\nb,0.1\na,0.2\nonly_pred,0.5\n");
    const r = kshot("rank", "--truth", join(dir, "truth.csv"), "--pred", join(dir, "pred.csv"), "--truth-column", "acc", "--json", "--top-k", "2");
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal(j.n, 4);
    assert.ok(Math.abs(j.kendallTauB - 4 / 6) < 1e-12); // 5 concordant, 1 discordant pair
    assert.ok(Math.abs(j.spearman - 0.8) < 1e-12);
    assert.equal(j.highGroupTau, 1);
  });

  it("a missing column or a bad value is one line naming the file", () => {
    writeFileSync(join(dir, "bad.csv"), "arch,val_acc\na,x\n");
    const r = kshot("rank", "--truth", join(dir, "truth.csv"), "--pred", join(dir, "bad.csv"), "--truth-column", "nope");
    assert.equal(r.status, 1);
    assert.match(r.stderr.trim(), /truth.csv: no column 'nope' \(columns: arch, acc\)$/);
    const r2 = kshot("rank", "--truth", join(dir, "truth.csv"), "--pred", join(dir, "bad.csv"), "--truth-column", "acc");
    assert.match(r2.stderr.trim(), /bad.csv: line 2: 'x' in column 'val_acc' is not a plain decimal number$/);
  });

  it("refuses what would silently give a wrong tau: duplicate or padded keys, hex, no rows, a constant column", () => {
    const cases: [string, RegExp][] = [
      ["arch,val_acc\na,1\nb,2\na,0\n", /dup.csv: line 4: arch 'a' again \(first on line 2\)$/],
      ["arch,val_acc\na,1\n b,2\n", /dup.csv: line 3: the arch ' b' is empty or has spaces around it$/],
      ["arch,val_acc\na,1\nb,0x10\n", /dup.csv: line 3: '0x10' in column 'val_acc' is not a plain decimal number$/],
      ["arch,val_acc\n", /dup.csv: no rows below the header$/],
      ["arch,val_acc\na,0.5\nb,0.5\nc,0.5\n", /every one of the 3 shared architectures has val_acc = 0.5 in .*dup.csv: with no order among them the rank correlations are undefined$/],
    ];
    for (const [text, message] of cases) {
      writeFileSync(join(dir, "dup.csv"), text);
      const r = kshot("rank", "--truth", join(dir, "truth.csv"), "--pred", join(dir, "dup.csv"), "--truth-column", "acc");
      assert.equal(r.status, 1, r.stderr);
      assert.equal(r.stderr.trim().split("\n").length, 1);
      assert.match(r.stderr.trim(), message);
    }
  });
});
