// `npm run bench:supernet [-- --json]`: time of one K-shot supernet training
// step (sample a path, merge its weights, forward, backward, SGD update) on
// the NAS-Bench-201 Fashion-MNIST supernet (C=8, N=1, batch 64, 28x28) for
// K in {1, 2, 4, 8}, as ratios to K = 1 measured in the same run. Rounds
// interleave the K values so that machine noise hits them alike.
import { supernetTrainingStep } from "./supernet_setup.js";
import { median } from "./timing.js";
import { runStep } from "./train_cases.js";

const json = process.argv.includes("--json");
const rounds = process.argv.includes("--quick") ? 3 : 8;
const stepsPerRound = 5;
const Ks = [1, 2, 4, 8];

const setups = Ks.map((K) => {
  const setup = supernetTrainingStep({ C: 8, N: 1, channels: 1, size: 28, K }); // the same path sequence for every K
  return { K, step: () => runStep(setup), times: [] as number[] };
});

for (const s of setups) s.step(); // warm-up
for (let r = 0; r < rounds; r++) {
  for (const s of setups) {
    const t0 = performance.now();
    for (let i = 0; i < stepsPerRound; i++) s.step();
    s.times.push((performance.now() - t0) / stepsPerRound);
  }
}
const base = median(setups[0]!.times);
if (!json) console.log(`supernet training step, NAS-Bench-201 C=8 N=1, batch 64, 28x28 (median of ${rounds} rounds of ${stepsPerRound} steps)`);
for (const s of setups) {
  const ms = median(s.times);
  if (json) console.log(JSON.stringify({ case: `supernet step K=${s.K}`, impl: "kshot", ms, ratio_to_k1: ms / base }));
  else console.log(`K=${s.K}  ${ms.toFixed(1).padStart(7)} ms   ${(ms / base).toFixed(3)}x K=1`);
}
