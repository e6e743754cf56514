import { full, type Tensor } from "../../engine/index.js";
import { noGrad, reshape } from "../../autograd/index.js";
import { oneHot, type SearchSpace } from "../space.js";
import { stackOneHots, type SimplexNet } from "./simplex_net.js";

/**
 * - `kshot`: the method (Algorithms 1 and 2);
 * - `oneshot`: K = 1, lambda = 1: a plain SPOS supernet;
 * - `fixed`: lambda = 1/K throughout;
 * - `random`: lambda from a randomly initialised simplex-net that is never trained.
 */
export const SUPERNET_MODES = ["kshot", "oneshot", "fixed", "random"] as const;
export type SupernetMode = (typeof SUPERNET_MODES)[number];

/** Simplex-net codes [n, K] of n paths (recorded for autograd unless under noGrad). */
export function simplexCodes(space: SearchSpace, simplex: SimplexNet, paths: readonly (readonly number[])[]): Tensor {
  const widths = simplex.widthDim > 0 ? stackOneHots(paths.map((g) => oneHot(space, g, "width"))) : null;
  return simplex.codes(stackOneHots(paths.map((g) => oneHot(space, g, "op"))), widths);
}

/** The code lambda ([K]) a path uses: 1/K in warm-up and in `fixed`, [1] one-shot, else the simplex-net's (no gradient). */
export function pathCode(mode: SupernetMode, space: SearchSpace, simplex: SimplexNet, genes: readonly number[], warm: boolean): Tensor {
  const K = simplex.K;
  if (mode === "oneshot" || mode === "fixed" || (warm && mode === "kshot")) return full([K], 1 / K);
  return noGrad(() => reshape(simplexCodes(space, simplex, [genes]), [K]));
}
