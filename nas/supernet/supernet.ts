import type { Tensor } from "../../engine/index.js";
import type { Module } from "../../autograd/nn/module.js";

/** What training and evaluation need of a supernet, whatever its space. */
export interface Supernet extends Module {
  /** Logits of the path `genes` with searchable weights merged by `lambda` ([K]). */
  forwardPath(x: Tensor, genes: readonly number[], lambda: Tensor): Tensor;
  /** In evaluation mode, normalise with each batch's statistics (paper, appendix B). */
  useBatchStatsInEval(on: boolean): void;
}
