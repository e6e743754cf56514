import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { before, describe, it } from "node:test";
import { tempDir } from "../helpers/temp_dir.js";

// The package as a user gets it: `npm pack` (which builds dist/ through
// prepare), the tarball installed into an empty folder, then the bin, an ESM
// import, a TypeScript consumer of the declarations, the example, and a search
// whose piscina workers load the compiled tasks.

const repo = process.cwd();
const npm = process.platform === "win32" ? "npm.cmd" : "npm";
let dir = "";
let installed = "";

const inDir = (cmd: string, args: string[], timeout = 300_000) =>
  spawnSync(cmd, args, { cwd: dir, encoding: "utf8", timeout, env: { ...process.env, NODE_OPTIONS: "" } });

describe("the npm package", { timeout: 900_000 }, () => {
  before(() => {
    dir = tempDir("kshot-package-");
    const packDir = join(dir, "tarball");
    mkdirSync(packDir);
    execFileSync(npm, ["pack", "--silent", "--pack-destination", packDir], { cwd: repo, stdio: ["ignore", "pipe", "inherit"] });
    const tgz = readdirSync(packDir).find((f) => /^kshot-.*\.tgz$/.test(f));
    assert.ok(tgz !== undefined, "npm pack wrote no kshot-*.tgz");
    writeFileSync(join(dir, "package.json"), `${JSON.stringify({ name: "kshot-user", private: true, type: "module" })}\n`);
    const r = inDir(npm, ["install", "--prefer-offline", "--no-audit", "--no-fund", join(packDir, tgz)]);
    assert.equal(r.status, 0, r.stderr);
    installed = join(dir, "node_modules", "kshot");
  });

  it("ships compiled code and no TypeScript sources, and needs no tsx", () => {
    const manifest = JSON.parse(readFileSync(join(installed, "package.json"), "utf8")) as { dependencies: Record<string, string> };
    assert.equal(manifest.dependencies["tsx"], undefined);
    assert.ok(existsSync(join(installed, "dist/index.js")) && existsSync(join(installed, "dist/index.d.ts")));
    assert.ok(existsSync(join(installed, "dist/engine/cpu/wasm/kernels.wasm")));
    assert.ok(!existsSync(join(installed, "nas")) && !existsSync(join(installed, "test")));
    assert.ok(!existsSync(join(dir, "node_modules", "tsx")), "tsx was installed with the package");
  });

  it("npx kshot --help and describe work from the installed bin", () => {
    const help = inDir("npx", ["--no-install", "kshot", "--help"]);
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, /usage: kshot <command>/);
    // NAS-Bench-201's CIFAR-10 network of this cell: 15.64737 MFLOPs (the describe test's published value)
    const d = inDir("npx", ["--no-install", "kshot", "describe", "--arch",
      "|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|", "--json"]);
    assert.equal(d.status, 0, d.stderr);
    assert.equal((JSON.parse(d.stdout) as { mflops: number }).mflops.toFixed(5), "15.64737");
  });

  it("imports the public API as ESM, and a TypeScript consumer type-checks against its declarations", () => {
    writeFileSync(join(dir, "use.mjs"), `import { Nb201Space, tensor, ag, runMainJob, runRankStudy, kendallTauB, tidy } from "kshot";
import { Tensor } from "kshot/engine";
const s = new Nb201Space({ C: 16, N: 5, inChannels: 3, classes: 10, height: 32, width: 32 });
const y = tidy(() => ag.sum(ag.mul(tensor([1, 2, 3]), tensor([4, 5, 6]))).item());
console.log(JSON.stringify({ y, functions: s.distinctFunctions, tau: kendallTauB([1, 2, 3], [1, 3, 2]), main: typeof runMainJob, study: typeof runRankStudy, tensor: tensor([1]) instanceof Tensor }));
`);
    const r = inDir(process.execPath, ["use.mjs"]);
    assert.equal(r.status, 0, r.stderr);
    // 32 = 1*4 + 2*5 + 3*6; NAS-Bench-201 has 6,466 distinct functions (15,625 cells); tau-b of one swap in three: 1/3
    assert.deepEqual(JSON.parse(r.stdout), { y: 32, functions: 6466, tau: 1 / 3, main: "function", study: "function", tensor: true });

    writeFileSync(join(dir, "use.ts"), `import { buildSupernetSession, DEFAULT_SUPERNET_OPTIONS, type SupernetConfig, type MainJobOptions } from "kshot";
const config: SupernetConfig = { ...DEFAULT_SUPERNET_OPTIONS, space: "nb201", mode: "kshot", K: 2, C: 4, N: 1, hidden: 8,
  dataset: "fashion-mnist", epochs: 1, warmupEpochs: 1, batchSize: 8, valSize: 8, seed: 0 };
const workers: MainJobOptions["workers"] = 2;
export const build = () => buildSupernetSession(config).space.distinctFunctions + workers;
// @ts-expect-error: a mode that does not exist must not type-check
export const wrong: SupernetConfig = { ...config, mode: "twoshot" };
`);
    writeFileSync(join(dir, "tsconfig.json"), `${JSON.stringify({ compilerOptions: { strict: true, module: "NodeNext", moduleResolution: "NodeNext", target: "ES2022", noEmit: true, skipLibCheck: false, types: [] }, files: ["use.ts"] })}\n`);
    const tsc = createRequire(join(repo, "package.json")).resolve("typescript/bin/tsc");
    const t = inDir(process.execPath, [tsc, "-p", "tsconfig.json"]);
    assert.equal(t.status, 0, t.stdout + t.stderr);
  });

  it("runs the example as a user would", () => {
    copyFileSync(join(repo, "examples/train_supernet.mjs"), join(dir, "train_supernet.mjs"));
    const ckpt = join(dir, "example.safetensors");
    const r = inDir(process.execPath, ["train_supernet.mjs", ckpt]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^epoch 1: supernet loss \d\.\d{4}\nepoch 2: supernet loss \d\.\d{4}\n/);
    assert.equal([...r.stdout.matchAll(/held-out accuracy (0|1)\.\d{4}/g)].length, 3);
    assert.ok(existsSync(ckpt));
  });

  it("searches a supernet with the compiled piscina workers", () => {
    const ckpt = resolve(dir, "example.safetensors"), out = join(dir, "search");
    const r = inDir("npx", ["--no-install", "kshot", "search", "--supernet", ckpt, "--evaluations", "6", "--population", "6", "--workers", "2", "--out", out, "--seed", "1"]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr + r.stdout, /2 local workers/);
    const front = JSON.parse(readFileSync(join(out, "front.json"), "utf8")) as { arch: string }[];
    assert.ok(front.length >= 1);
  });
});
