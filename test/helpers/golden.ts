// Golden files: a figure or page compared, byte for byte, with a copy that
// a person has looked at (test/report/golden/). They pin what the other
// report tests leave free: colours, dashes, labels, margins. When a change
// to a figure is meant, look at the new one and rewrite the copies with
// KSHOT_UPDATE_GOLDEN=1 (npm test -- test/report/golden.test.ts).
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";

const DIR = new URL("../report/golden/", import.meta.url);

export function assertGolden(name: string, text: string): void {
  const file = new URL(name, DIR);
  if (process.env.KSHOT_UPDATE_GOLDEN === "1") {
    writeFileSync(file, text);
    return;
  }
  let want: string;
  try {
    want = readFileSync(file, "utf8");
  } catch {
    assert.fail(`no golden copy test/report/golden/${name}: write it with KSHOT_UPDATE_GOLDEN=1 after looking at the figure`);
  }
  assert.equal(text, want, `${name} differs from its golden copy (if the change is meant, look at it and rewrite the copies with KSHOT_UPDATE_GOLDEN=1)`);
}
