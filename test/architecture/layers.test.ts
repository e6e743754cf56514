import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { describe, it } from "node:test";

/**
 * The layers, lowest first (docs/architecture.md): a file may import from its
 * own layer and the layers listed for it, nothing above. Test and benchmark
 * code may import anything, and nothing may import them.
 */
export const LAYERS: Record<string, readonly string[]> = {
  engine: [],
  autograd: ["engine"],
  data: ["engine"],
  train: ["engine", "autograd", "data"],
  nas: ["engine", "autograd", "data", "train"],
  workers: ["engine", "autograd", "data", "train", "nas"],
  app: ["engine", "autograd", "data", "train", "nas", "workers"],
  report: ["engine", "autograd", "data", "train", "nas", "workers", "app"],
  cli: ["engine", "autograd", "data", "train", "nas", "workers", "app", "report"],
  "index.ts": ["engine", "autograd", "data", "train", "nas", "workers", "app", "report"],
};

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === "assembly" ? [] : sources(p); // AssemblyScript, compiled on its own
    return /\.(ts|mjs)$/.test(e.name) ? [p] : [];
  });
}

/** Relative module specifiers a file imports: static imports and re-exports, dynamic import(), and module URLs. */
export function importsOf(text: string): string[] {
  const found: string[] = [];
  for (const re of [/\bfrom\s+["'](\.[^"']*)["']/g, /\bimport\s*\(\s*["'](\.[^"']*)["']\s*\)/g, /^\s*import\s+["'](\.[^"']*)["']/gm,
    /new URL\(\s*["'`](\.[^"'`]*)["'`]\s*,\s*import\.meta\.url/g]) {
    for (const m of text.matchAll(re)) found.push(m[1]!);
  }
  return found;
}

/** The layer of a path relative to the repository root, or null for files outside the layers. */
function layerOf(path: string): string | null {
  const top = path.split(/[\\/]/)[0]!;
  return top in LAYERS ? top : null;
}

/** Every import that climbs: "file -> target (layer may use: ...)". */
export function violations(files: readonly { path: string; text: string }[]): string[] {
  const out: string[] = [];
  for (const f of files) {
    const from = layerOf(f.path);
    if (from === null) continue;
    for (const spec of importsOf(f.text)) {
      const target = normalize(join(dirname(f.path), spec));
      const to = layerOf(target);
      if (target.startsWith("..")) out.push(`${f.path} -> ${spec} (outside the repository)`);
      else if (to === null) out.push(`${f.path} -> ${target} (not a layer: ${target.split(/[\\/]/)[0]})`);
      else if (to !== from && !LAYERS[from]!.includes(to)) out.push(`${f.path} -> ${target} (${from} may use: ${LAYERS[from]!.join(", ") || "nothing"})`);
    }
  }
  return out;
}

describe("layers", () => {
  const root = process.cwd();
  const files = [...Object.keys(LAYERS).filter((l) => !l.endsWith(".ts")).flatMap((l) => sources(l)), "index.ts"]
    .map((p) => ({ path: relative(root, p), text: readFileSync(p, "utf8") }));

  it("finds every kind of import the code uses", () => {
    assert.deepEqual(importsOf(`import { a } from "../x.js";\nexport * from './y.js';\nimport "./side.js";\nconst m = await import("./lazy.js");\nnew URL("./w.mjs", import.meta.url);\nimport { b } from "node:fs";`),
      ["../x.js", "./y.js", "./lazy.js", "./side.js", "./w.mjs"]);
  });

  it("flags an import that climbs, and only that one", () => {
    assert.deepEqual(violations([
      { path: "nas/a.ts", text: `import { x } from "../workers/pool.js";\nimport { y } from "../train/fit.js";` },
      { path: "engine/cpu/b.ts", text: `import type { T } from "../../autograd/tape.js";` },
      { path: "app/c.ts", text: `import { r } from "../report/svg.js";\nimport { p } from "../workers/pool.js";` },
      { path: "cli/d.ts", text: `import { r } from "../report/svg.js";\nimport { t } from "../test/helpers/ref.js";` },
    ]), [
      "nas/a.ts -> workers/pool.js (nas may use: engine, autograd, data, train)",
      "engine/cpu/b.ts -> autograd/tape.js (engine may use: nothing)",
      "app/c.ts -> report/svg.js (app may use: engine, autograd, data, train, nas, workers)",
      "cli/d.ts -> test/helpers/ref.js (not a layer: test)",
    ]);
  });

  it("is the table docs/architecture.md shows", () => {
    const doc = readFileSync("docs/architecture.md", "utf8");
    const start = doc.indexOf("| layer | may import |");
    assert.ok(start >= 0, "docs/architecture.md has no '| layer | may import |' table");
    const table = [...doc.slice(start, doc.indexOf("\n\n", start)).matchAll(/^\| `([\w.]+?)\/?` \| (.+) \|$/gm)]
      .map((m) => [m[1]!, m[2] === "—" ? [] : [...m[2]!.matchAll(/`(\w+)\/`/g)].map((x) => x[1]!)] as const);
    assert.deepEqual(Object.fromEntries(table), LAYERS);
  });

  it("holds in the code: no file imports above its layer", () => {
    assert.ok(files.length > 150, `read ${files.length} files`);
    assert.deepEqual(violations(files), []);
  });
});
