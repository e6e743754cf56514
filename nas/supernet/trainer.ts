import { Rng, tidy, type Tensor } from "../../engine/index.js";
import { add, crossEntropy, mulScalar, reshape, slice } from "../../autograd/index.js";
import { SGD } from "../../autograd/optim/sgd.js";
import { cosineLr } from "../../autograd/optim/schedule.js";
import { batchCount, batches, type Batch } from "../../data/batches.js";
import type { ImageDataset } from "../../data/dataset.js";
import { DivergedError, type DataRecipe } from "../../train/fit.js";
import { sampleGenes, type SearchSpace } from "../space.js";
import type { Supernet } from "./supernet.js";
import { channelRegularizer, rcPairs } from "./regularizer.js";
import { SimplexNet } from "./simplex_net.js";
import { pathCode, simplexCodes, type SupernetMode } from "./path_code.js";

export interface SupernetOptions {
  mode: SupernetMode;
  K: number;
  epochs: number;
  /** Epochs with lambda = 1/K for every path before the alternation starts. */
  warmupEpochs: number;
  batchSize: number;
  lr: number;
  simplexLr: number;
  momentum: number;
  weightDecay: number;
  /** Paths per simplex-net step: its batch is split into m groups, one path each (the paper's b/m images per path). */
  m: number;
  /** Images per simplex-net step; with m, it sets the images each path's batch statistics see. */
  simplexBatch: number;
  /**
   * How supernet and simplex-net steps share the data after warm-up:
   * "interleaved" (absent: the default) follows every supernet batch with a
   * simplex-net step on a batch of its own (simplexBatch images from its own
   * shuffle); "even-odd" is Algorithm 2 as written, the epoch's batches in
   * turn, even ones to the supernet and odd ones to the simplex-net.
   */
  alternation?: "interleaved" | "even-odd";
  /** Weight of r_c in the simplex-net's loss, its temperature, and the L1 width distance under which two paths are a positive pair. */
  alpha: number;
  tau: number;
  rcThreshold: number;
}

export const DEFAULT_SUPERNET_OPTIONS: Omit<SupernetOptions, "mode" | "K" | "epochs" | "warmupEpochs" | "batchSize"> = {
  lr: 0.05, simplexLr: 0.05, momentum: 0.9, weightDecay: 5e-4, m: 4, simplexBatch: 64, alpha: 1, tau: 0.3, rcThreshold: 1.0,
};

export interface SupernetStepReport { epoch: number; step: number; steps: number; kind: "supernet" | "simplex"; loss: number }
export interface SupernetEpochReport { epoch: number; supernetLoss: number; simplexLoss: number | null; seconds: number }

/**
 * Trains a supernet and its simplex-net. A supernet step samples one path,
 * computes lambda without a gradient into the simplex-net and updates the
 * supernet weights on one batch. After the warm-up, `kshot` alternates
 * (Algorithm 2): every supernet step is followed by a simplex-net step that
 * samples m paths, forwards each of m groups of its own batch of
 * `simplexBatch` images with its own path and lambda, adds alpha * r_c, and
 * updates only the simplex-net. An epoch is one pass of the supernet steps
 * over the training images, so every mode gives the supernet the same
 * updates; the simplex-net steps draw their batches from their own shuffles.
 * Both use SGD with Nesterov momentum and a per-step cosine decay to 0.
 */
export class SupernetTrainer {
  readonly optTheta: SGD;
  readonly optSimplex: SGD;
  epoch = 0;
  globalStep = 0;

  constructor(
    readonly space: SearchSpace,
    readonly supernet: Supernet,
    readonly simplex: SimplexNet,
    readonly data: ImageDataset,
    readonly dataRecipe: DataRecipe,
    readonly options: SupernetOptions,
    readonly rng: Rng,
  ) {
    const o = options;
    if (o.mode === "oneshot" && o.K !== 1) throw new Error(`supernet: mode oneshot means K = 1, received K = ${o.K}`);
    if (!(Number.isInteger(o.m) && o.m >= 1)) throw new Error(`supernet: expected m >= 1 paths per simplex step, received ${o.m}`);
    if (!(Number.isInteger(o.simplexBatch) && o.simplexBatch >= o.m && o.simplexBatch <= data.count)) {
      throw new Error(`supernet: expected a simplex-net batch of m = ${o.m} to ${data.count} (the training images) images, received ${o.simplexBatch}`);
    }
    if (o.warmupEpochs > o.epochs) throw new Error(`supernet: ${o.warmupEpochs} warm-up epochs exceed ${o.epochs} epochs`);
    this.optTheta = new SGD(supernet.parameters(), { lr: o.lr, momentum: o.momentum, nesterov: true, weightDecay: o.weightDecay });
    this.optSimplex = new SGD(simplex.parameters(), { lr: o.simplexLr, momentum: o.momentum, nesterov: true });
  }

  get stepsPerEpoch(): number {
    return batchCount(this.data.count, { batchSize: this.options.batchSize });
  }

  /** The code of one path: 1/K in warm-up and in `fixed`, [1] one-shot, else the simplex-net's (no gradient). */
  code(genes: readonly number[], warm: boolean): Tensor {
    return pathCode(this.options.mode, this.space, this.simplex, genes, warm);
  }

  /** Simplex-net codes [n, K] of n paths (recorded for autograd unless under noGrad). */
  codes(paths: readonly (readonly number[])[]): Tensor {
    return simplexCodes(this.space, this.simplex, paths);
  }

  /** One supernet step; returns the loss, still on the backend (the caller reads and disposes it). */
  private supernetStep(x: Tensor, y: Tensor, warm: boolean): Tensor {
    return tidy(() => {
      const genes = sampleGenes(this.space, this.rng);
      const loss = crossEntropy(this.supernet.forwardPath(x, genes, this.code(genes, warm)), y);
      loss.backward();
      this.optTheta.step();
      this.optTheta.zeroGrad();
      return loss;
    });
  }

  /** One simplex-net step; returns the loss like supernetStep. */
  private simplexStep(x: Tensor, y: Tensor): Tensor {
    const { m: groups, K, alpha } = this.options;
    const b = x.shape[0]!;
    const thetas = this.supernet.parameters();
    thetas.forEach((p) => { p.requiresGrad = false; }); // only the simplex-net learns here
    try {
      return tidy(() => {
        const paths = Array.from({ length: groups }, () => sampleGenes(this.space, this.rng));
        const codes = this.codes(paths);
        let total: Tensor | null = null;
        for (let g = 0; g < groups; g++) {
          const lo = Math.floor((g * b) / groups), hi = Math.floor(((g + 1) * b) / groups);
          const xs = slice(x, [lo, 0, 0, 0], [hi - lo, ...x.shape.slice(1)]);
          const ys = slice(y, [lo], [hi - lo]);
          const lambda = reshape(slice(codes, [g, 0], [1, K]), [K]);
          const l = crossEntropy(this.supernet.forwardPath(xs, paths[g]!, lambda), ys);
          const weighted = mulScalar(l, (hi - lo) / b); // the batch's mean loss over all groups
          total = total === null ? weighted : add(total, weighted);
        }
        let loss = total!;
        if (this.simplex.widthDim > 0 && alpha > 0) loss = add(loss, mulScalar(this.rc(paths), alpha));
        loss.backward();
        this.optSimplex.step();
        this.optSimplex.zeroGrad();
        return loss;
      });
    } finally {
      thetas.forEach((p) => { p.requiresGrad = true; });
    }
  }

  /** r_c for this step over the step's paths and their near copies (regularizer.ts: rcPairs). */
  private rc(paths: readonly (readonly number[])[]): Tensor {
    const { variants, widths } = rcPairs(this.space, paths, this.rng);
    return channelRegularizer(this.codes(variants), widths, this.options.tau, this.options.rcThreshold);
  }

  /**
   * One epoch; calls onStep after every step. Reading each step's loss is
   * the only transfer back from the backend (asynchronous on a GPU).
   */
  async runEpoch(onStep?: (r: SupernetStepReport) => void): Promise<SupernetEpochReport> {
    const o = this.options;
    this.epoch++;
    const warm = this.epoch <= o.warmupEpochs;
    const alternate = o.mode === "kshot" && !warm;
    const evenOdd = alternate && o.alternation === "even-odd";
    const supernetSteps = this.stepsPerEpoch, total = supernetSteps * o.epochs;
    const steps = alternate && !evenOdd ? 2 * supernetSteps : supernetSteps;
    const simplexBatches = alternate && !evenOdd ? this.simplexBatches() : null;
    const t0 = performance.now();
    let supSum = 0, supN = 0, simSum = 0, simN = 0, step = 0;
    const run = async (kind: SupernetStepReport["kind"], batch: Batch) => {
      const lossT = kind === "simplex" ? this.simplexStep(batch.x, batch.y) : this.supernetStep(batch.x, batch.y, warm);
      const loss = (await lossT.data())[0]!;
      lossT.dispose();
      batch.x.dispose();
      batch.y.dispose();
      if (!Number.isFinite(loss)) throw new DivergedError(loss, this.epoch, step + 1);
      if (kind === "simplex") { simSum += loss; simN++; } else { supSum += loss; supN++; }
      step++;
      onStep?.({ epoch: this.epoch, step, steps, kind, loss });
    };
    for (const batch of batches(this.data, { batchSize: o.batchSize, rng: this.rng, ...this.dataRecipe })) {
      this.optTheta.lr = cosineLr(o.lr, this.globalStep, total);
      this.optSimplex.lr = cosineLr(o.simplexLr, this.globalStep, total);
      // the learning rates follow the batches; even-odd gives the simplex-net the odd ones (a last batch too short for m paths goes to the supernet)
      if (evenOdd) await run(this.globalStep % 2 === 1 && batch.x.shape[0]! >= o.m ? "simplex" : "supernet", batch);
      else await run("supernet", batch);
      if (simplexBatches !== null) await run("simplex", simplexBatches.next().value as Batch);
      this.globalStep++;
    }
    return { epoch: this.epoch, supernetLoss: supSum / Math.max(1, supN), simplexLoss: simN > 0 ? simSum / simN : null, seconds: (performance.now() - t0) / 1000 };
  }

  /** Endless full batches of `simplexBatch` images for the simplex-net steps, a new shuffle from the run's generator per pass. */
  private *simplexBatches(): Generator<Batch> {
    for (;;) yield* batches(this.data, { batchSize: this.options.simplexBatch, rng: this.rng, dropLast: true, ...this.dataRecipe });
  }
}
