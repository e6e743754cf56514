import { Rng, full, randn, tensor, tidy, type Tensor } from "../engine/index.js";
import { crossEntropy } from "../autograd/index.js";
import { SGD } from "../autograd/optim/sgd.js";
import { Nb201Space } from "../nas/nb201/space.js";
import { sampleGenes } from "../nas/space.js";
import { Nb201Supernet, kshotWeights } from "../nas/supernet/nb201_supernet.js";

export interface SupernetStepShape { C: number; N: number; channels: number; size: number; K: number }

/**
 * A NAS-Bench-201 K-shot supernet on the active backend, with a fixed batch
 * of 64 and lambda = 1/K, for timing training steps: each `step()` samples a
 * path (the same sequence every time this is built), merges its weights,
 * runs forward and backward and an SGD update, and returns the loss, which
 * the caller disposes.
 */
export function supernetTrainingStep({ C, N, channels, size, K }: SupernetStepShape): { step(): Tensor; dispose(): void } {
  const cfg = { C, N, inChannels: channels, classes: 10 };
  const space = new Nb201Space({ ...cfg, height: size, width: size });
  const net = new Nb201Supernet(cfg, kshotWeights(K), new Rng(0));
  const opt = new SGD(net.parameters(), { lr: 0.01, momentum: 0.9, nesterov: true, weightDecay: 5e-4 });
  const x = randn([64, channels, size, size], new Rng(1));
  const y = tensor(Int32Array.from({ length: 64 }, (_, i) => i % 10), [64], "int32");
  const lambda = full([K], 1 / K);
  const rng = new Rng(2);
  return {
    step: () => tidy(() => {
      const loss = crossEntropy(net.forwardPath(x, sampleGenes(space, rng), lambda), y);
      loss.backward();
      opt.step();
      opt.zeroGrad();
      return loss;
    }),
    dispose(): void {
      for (const t of [x, y, lambda]) t.dispose();
      net.dispose();
    },
  };
}
