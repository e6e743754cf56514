// `npm run bench:supernet [-- --json]`: time of one K-shot supernet training
// step (sample a path, merge its weights, forward, backward, SGD update) on
// the NAS-Bench-201 Fashion-MNIST supernet (C=8, N=1, batch 64, 28x28) for
// K in {1, 2, 4, 8}, as ratios to K = 1 measured in the same run. Rounds
// interleave the K values so that machine noise hits them alike.
import { Rng, randn, tensor, tidy } from "../engine/index.js";
import { crossEntropy } from "../autograd/index.js";
import { SGD } from "../autograd/optim/sgd.js";
import { Nb201Space } from "../nas/nb201/space.js";
import { Nb201Supernet, kshotWeights } from "../nas/supernet/nb201_supernet.js";
import { sampleGenes } from "../nas/space.js";
import { full } from "../engine/index.js";

const json = process.argv.includes("--json");
const rounds = process.argv.includes("--quick") ? 3 : 8;
const stepsPerRound = 5;
const Ks = [1, 2, 4, 8];
const cfg = { C: 8, N: 1, inChannels: 1, classes: 10 };
const space = new Nb201Space({ ...cfg, height: 28, width: 28 });
const x = randn([64, 1, 28, 28], new Rng(1));
const y = tensor(Int32Array.from({ length: 64 }, (_, i) => i % 10), [64], "int32");

const setups = Ks.map((K) => {
  const net = new Nb201Supernet(cfg, kshotWeights(K), new Rng(0));
  const opt = new SGD(net.parameters(), { lr: 0.01, momentum: 0.9, nesterov: true, weightDecay: 5e-4 });
  const lambda = full([K], 1 / K);
  const rng = new Rng(2); // the same path sequence for every K
  const step = () => tidy(() => {
    const loss = crossEntropy(net.run(x, sampleGenes(space, rng), lambda), y);
    loss.backward();
    opt.step();
    opt.zeroGrad();
  });
  return { K, step, times: [] as number[] };
});

for (const s of setups) s.step(); // warm-up
for (let r = 0; r < rounds; r++) {
  for (const s of setups) {
    const t0 = performance.now();
    for (let i = 0; i < stepsPerRound; i++) s.step();
    s.times.push((performance.now() - t0) / stepsPerRound);
  }
}
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
const base = median(setups[0]!.times);
if (!json) console.log(`supernet training step, NAS-Bench-201 C=8 N=1, batch 64, 28x28 (median of ${rounds} rounds of ${stepsPerRound} steps)`);
for (const s of setups) {
  const ms = median(s.times);
  if (json) console.log(JSON.stringify({ case: `supernet step K=${s.K}`, impl: "kshot", ms, ratio_to_k1: ms / base }));
  else console.log(`K=${s.K}  ${ms.toFixed(1).padStart(7)} ms   ${(ms / base).toFixed(3)}x K=1`);
}
