// The training steps `npm run bench:train` times, shared by the benchmark
// and its independent-copies workers (train_copies.ts).
import { Rng, randn, tensor, tidy, type Tensor } from "../engine/index.js";
import { crossEntropy } from "../autograd/index.js";
import { SGD } from "../autograd/optim/sgd.js";
import { Nb201Network } from "../nas/nb201/network.js";
import { supernetTrainingStep } from "./supernet_setup.js";

export interface TrainCase { name: string; torch?: string; make(): { step(): Tensor; dispose(): void } }

const RECIPE_ARCH = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|";

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

export const trainCases: TrainCase[] = [
  { name: "recipe network C=8 N=1 1x28x28", torch: "recipe", make: recipeStep },
  { name: "supernet K=4 C=8 N=1 1x28x28", make: () => supernetTrainingStep({ C: 8, N: 1, channels: 1, size: 28, K: 4 }) },
  { name: "supernet K=4 C=16 N=5 3x32x32", torch: "supernet-cifar", make: () => supernetTrainingStep({ C: 16, N: 5, channels: 3, size: 32, K: 4 }) },
];

/** One training step, its loss read and freed: what every timing here measures. */
export function runStep(s: { step(): Tensor }): void {
  const loss = s.step();
  loss.dataSync();
  loss.dispose();
}
