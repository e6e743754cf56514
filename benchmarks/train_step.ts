// `npm run bench:train [-- --quick] [--json] [--steps N]`: milliseconds per
// training step (forward, backward, SGD update, loss read) of
//   (a) the `kshot train` recipe network (NAS-Bench-201 C=8 N=1, 1x28x28),
//   (b) the main job's K=4 supernet (C=8 N=1, 1x28x28),
//   (c) the paper's CIFAR-size K=4 supernet (C=16 N=5, 3x32x32),
// all at batch 64, with 1 kernel thread and with every core, and PyTorch
// on (a) and (c) with the same thread counts where `import torch` works
// (an optional peer, never a dependency). Ratios come from one run.
import { spawnSync } from "node:child_process";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { Rng, randn, tensor, tidy, type Tensor } from "../engine/index.js";
import { team } from "../engine/cpu/wasm/team.js";
import { crossEntropy } from "../autograd/index.js";
import { SGD } from "../autograd/optim/sgd.js";
import { Nb201Network } from "../nas/nb201/network.js";
import { supernetTrainingStep } from "./supernet_setup.js";

const args = process.argv.slice(2);
const json = args.includes("--json"), quick = args.includes("--quick");
const stepsAt = args.indexOf("--steps");
const steps = stepsAt >= 0 ? Number(args[stepsAt + 1]) : quick ? 3 : 8;
if (!(Number.isInteger(steps) && steps >= 1)) throw new Error(`bench:train: --steps expects a positive integer, received '${args[stepsAt + 1]}'`);
const cores = availableParallelism();
const threadCounts = [...new Set([1, cores])];
const RECIPE_ARCH = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|";

interface Case { name: string; torch?: string; make(): { step(): Tensor; dispose(): void } }

function recipeStep(): { step(): Tensor; dispose(): void } {
  const rng = new Rng(0);
  const net = new Nb201Network(RECIPE_ARCH, { C: 8, N: 1, inChannels: 1, classes: 10 }, rng);
  const opt = new SGD(net.parameters(), { lr: 0.05, momentum: 0.9, nesterov: false, weightDecay: 5e-4 });
  const x = randn([64, 1, 28, 28], rng);
  const y = tensor(Int32Array.from({ length: 64 }, (_, i) => i % 10), [64], "int32");
  return {
    step: () => tidy(() => {
      const loss = crossEntropy(net.forward(x), y);
      loss.backward();
      opt.step();
      opt.zeroGrad();
      return loss;
    }),
    dispose: () => { for (const t of [x, y]) t.dispose(); net.dispose(); },
  };
}

const cases: Case[] = [
  { name: "recipe network C=8 N=1 1x28x28", torch: "recipe", make: recipeStep },
  { name: "supernet K=4 C=8 N=1 1x28x28", make: () => supernetTrainingStep({ C: 8, N: 1, channels: 1, size: 28, K: 4 }) },
  { name: "supernet K=4 C=16 N=5 3x32x32", torch: "supernet-cifar", make: () => supernetTrainingStep({ C: 16, N: 5, channels: 3, size: 32, K: 4 }) },
];

/**
 * Median milliseconds per step for each thread count, over `steps` timed
 * steps each, after two untimed ones. The thread counts take turns step by
 * step, each on its own copy of the case (same seed, so the same paths), so
 * that the machine's drift over the run falls on all of them alike.
 */
function timeSteps(make: Case["make"]): Map<number, number> {
  const setups = threadCounts.map(() => make());
  const times = threadCounts.map((): number[] => []);
  for (let i = 0; i < steps + 2; i++) {
    threadCounts.forEach((threads, j) => {
      team.threads = threads;
      const t0 = performance.now();
      const loss = setups[j]!.step();
      loss.dataSync();
      loss.dispose();
      if (i >= 2) times[j]!.push(performance.now() - t0);
    });
  }
  for (const s of setups) s.dispose();
  return new Map(threadCounts.map((threads, j) => [threads, times[j]!.sort((a, b) => a - b)[Math.floor(steps / 2)]!]));
}

/** PyTorch's milliseconds per step by case and thread count, or why there are none. */
function torchPeer(): Map<string, number> | string {
  const python = ["python3", "/usr/bin/python3"].find((p) => spawnSync(p, ["-c", "import torch"], { stdio: "ignore" }).status === 0);
  if (python === undefined) return "no python3 with torch here: PyTorch columns skipped";
  const script = fileURLToPath(new URL("./peers/torch_train.py", import.meta.url));
  const torchCases = cases.flatMap((c) => (c.torch ? [c.torch] : []));
  const r = spawnSync(python, [script, "--threads", threadCounts.join(","), "--steps", String(steps), "--cases", torchCases.join(",")],
    { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
  if (r.status !== 0) return `the PyTorch peer failed (exit ${r.status})`;
  const out = new Map<string, number>();
  for (const line of r.stdout.trim().split("\n")) {
    const { case: c, threads, ms_per_step: ms } = JSON.parse(line) as { case: string; threads: number; ms_per_step: number };
    out.set(`${c}/${threads}`, ms);
  }
  return out;
}

const kshot = new Map<string, number>();
for (const c of cases) {
  for (const [threads, ms] of timeSteps(c.make)) kshot.set(`${c.name}/${threads}`, ms);
}
team.stop();
const peer = torchPeer();

const fmt = (v: number | undefined) => (v === undefined ? "—" : v.toFixed(1));
if (!json) {
  console.log(`ms per training step, batch 64, median of ${steps} steps (${new Date().toISOString()}, node ${process.version}, ${cores} cores)`);
  if (typeof peer === "string") console.log(peer);
  console.log(`${"case".padEnd(34)} ${"threads".padStart(7)} ${"kshot".padStart(9)} ${"pytorch".padStart(9)} ${"kshot/pt".padStart(9)} ${"vs 1 thread".padStart(12)}`);
}
for (const c of cases) {
  for (const threads of threadCounts) {
    const ms = kshot.get(`${c.name}/${threads}`)!;
    const pt = typeof peer === "string" || c.torch === undefined ? undefined : peer.get(`${c.torch}/${threads}`);
    const speedup = kshot.get(`${c.name}/1`)! / ms;
    if (json) {
      console.log(JSON.stringify({ case: c.name, threads, kshot_ms: ms, pytorch_ms: pt ?? null, ratio_to_pytorch: pt === undefined ? null : ms / pt, speedup_vs_1_thread: speedup }));
    } else {
      console.log(`${c.name.padEnd(34)} ${String(threads).padStart(7)} ${fmt(ms).padStart(9)} ${fmt(pt).padStart(9)} ${(pt === undefined ? "—" : `${(ms / pt).toFixed(2)}x`).padStart(9)} ${`${speedup.toFixed(2)}x`.padStart(12)}`);
    }
  }
}
