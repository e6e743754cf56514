import { ones, tidy, zeros, type Tensor } from "../../engine/index.js";
import { argMax, assign, noGrad } from "../../autograd/index.js";
import { batches } from "../../data/batches.js";
import type { ImageDataset } from "../../data/dataset.js";
import type { DataRecipe } from "../../train/fit.js";
import { BatchNorm2d } from "../../autograd/nn/layers.js";
import type { Supernet } from "./supernet.js";

/**
 * Top-1 accuracy of one path of a supernet on `data`. By default BN
 * normalises with each batch's own statistics (paper, appendix B) and no
 * running statistics are read or changed; `bn: "running"` uses the running
 * ones instead (after recalibrate()).
 */
export function evaluatePath(supernet: Supernet, genes: readonly number[], lambda: Tensor, data: ImageDataset,
  recipe: DataRecipe, batchSize = 256, bn: "batch-stats" | "running" = "batch-stats"): number {
  supernet.eval();
  supernet.useBatchStatsInEval(bn === "batch-stats");
  let correct = 0;
  try {
    noGrad(() => {
      for (const { x, y } of batches(data, { batchSize, mean: recipe.mean, std: recipe.std })) {
        tidy(() => {
          const pred = argMax(supernet.forwardPath(x, genes, lambda)).dataSync();
          const labels = y.dataSync();
          for (let i = 0; i < pred.length; i++) if (pred[i] === labels[i]) correct++;
        });
        x.dispose();
        y.dispose();
      }
    });
  } finally {
    supernet.useBatchStatsInEval(false);
    supernet.train();
  }
  return correct / data.count;
}

/**
 * SPOS-style BN recalibration for one path: reset every running mean and
 * variance (the first batch's momentum of 1 would overwrite them, but not a
 * NaN a diverged path left: 0 * NaN), then run `count` training batches through the path in training
 * mode without gradients, averaging their statistics cumulatively (momentum
 * 1/t on the t-th batch, PyTorch's momentum=None), so evaluation with running
 * statistics fits the path.
 */
export function recalibrate(supernet: Supernet, genes: readonly number[], lambda: Tensor, data: ImageDataset,
  recipe: DataRecipe, count: number, batchSize = 256): void {
  const bns = supernet.modules().filter((m): m is BatchNorm2d => m instanceof BatchNorm2d);
  tidy(() => {
    for (const bn of bns) {
      assign(bn.runningMean, zeros([bn.channels]));
      assign(bn.runningVar, ones([bn.channels]));
    }
  });
  supernet.train();
  const momenta = bns.map((bn) => bn.momentum);
  let n = 0;
  try {
    noGrad(() => {
      for (const { x, y } of batches(data, { batchSize, mean: recipe.mean, std: recipe.std })) {
        n++;
        for (const bn of bns) bn.momentum = 1 / n;
        tidy(() => { supernet.forwardPath(x, genes, lambda); });
        x.dispose();
        y.dispose();
        if (n >= count) break;
      }
    });
  } finally {
    bns.forEach((bn, i) => { bn.momentum = momenta[i]!; });
  }
}
