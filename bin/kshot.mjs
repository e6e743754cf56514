#!/usr/bin/env node
// The `kshot` command in a checkout: the compiled CLI in dist/ (built by
// `npm install` or `npm run build`). The installed package's bin is dist/cli/bin.js.
import { readdirSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";

// the folders tsconfig.build.json compiles into dist/
const SOURCES = ["types", "engine", "autograd", "data", "train", "nas", "workers", "report", "app", "cli"];

/** The most recently changed TypeScript source, or null: an edit or a `git pull` leaves dist/ behind it. */
function newestSource(root) {
  let best = null;
  const visit = (dir) => {
    let entries;
    try { entries = readdirSync(dir, { withFileTypes: true }); } catch { return; }
    for (const e of entries) {
      const p = join(dir, e.name);
      if (e.isDirectory()) { if (e.name !== "assembly") visit(p); } else if (e.name.endsWith(".ts")) {
        const t = statSync(p).mtimeMs;
        if (best === null || t > best.t) best = { p, t };
      }
    }
  };
  for (const d of SOURCES) visit(join(root, d));
  return best;
}

const root = fileURLToPath(new URL("..", import.meta.url));
let built;
try { built = statSync(join(root, "dist/cli/bin.js")).mtimeMs; } catch { built = null; }
if (built === null) {
  console.error("kshot: dist/ is not built; run 'npm run build' (npm install does it)");
  process.exitCode = 1;
} else {
  const src = newestSource(root);
  if (src !== null && src.t > built) {
    console.error(`kshot: warning: dist/ is older than ${src.p.slice(root.length)}: this runs the last build, not the sources; run 'npm run build'`);
  }
  await import("../dist/cli/bin.js");
}
