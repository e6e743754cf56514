import { OpError, type Tensor } from "../../engine/index.js";
import * as K from "../../engine/kernel_names.js";
import { runOp } from "../run_op.js";
import { movingAverage } from "./optim.js";

/**
 * - `train`: normalise with batch statistics and update the running ones in place;
 * - `eval`: normalise with the running statistics;
 * - `batch-stats`: normalise with batch statistics, update nothing (how the
 *   paper evaluates paths of a supernet, appendix B).
 */
export type BatchNormMode = "train" | "eval" | "batch-stats";

export interface BatchNormOptions {
  mode: BatchNormMode;
  /** Scale and shift; both or neither (no affine parameters). */
  gamma?: Tensor;
  beta?: Tensor;
  runningMean?: Tensor;
  runningVar?: Tensor;
  /** Weight of the new batch in the running averages (PyTorch's default 0.1). */
  momentum?: number;
  eps?: number;
  /** An activation applied to the output in the same pass, as batchNorm followed by relu/relu6 but one pass over memory each way. */
  activation?: K.FusedActivation;
}

/** Batch normalisation over axis 1 of [N, C, ...], optionally followed by a fused activation. */
export function batchNorm(x: Tensor, o: BatchNormOptions): Tensor {
  const affine = o.gamma !== undefined;
  if (affine !== (o.beta !== undefined)) throw new OpError("BatchNorm", "gamma and beta together, or neither", affine ? "gamma only" : "beta only");
  const batchStats = o.mode !== "eval";
  const hasRunning = o.runningMean !== undefined && o.runningVar !== undefined;
  if (!batchStats && !hasRunning) throw new OpError("BatchNorm", "running mean and variance in eval mode", "none");
  const inputs = [x];
  if (affine) inputs.push(o.gamma!, o.beta!);
  if (!batchStats) inputs.push(o.runningMean!, o.runningVar!);
  const eps = o.eps ?? 1e-5;
  const outs = runOp<K.BatchNormAttrs>(K.BatchNorm, inputs, { eps, batchStats, affine, activation: o.activation });
  if (o.mode === "train" && hasRunning) {
    const m = o.momentum ?? 0.1;
    const count = x.size / x.shape[1]!;
    // PyTorch keeps the unbiased variance in the running average
    movingAverage([{ target: o.runningMean!, value: outs[1]! }, { target: o.runningVar!, value: outs[3]!, scale: count / Math.max(1, count - 1) }], m);
  }
  return outs[0]!;
}
