import { uniform, type Rng, type Tensor } from "../../engine/index.js";

/**
 * PyTorch's default initialisation of conv and linear layers:
 * kaiming_uniform_(a = sqrt(5)), i.e. U(-1/sqrt(fan_in), 1/sqrt(fan_in)),
 * and the same bound for the bias.
 */
export function kaimingUniformDefault(shape: readonly number[], fanIn: number, rng: Rng): Tensor {
  const bound = 1 / Math.sqrt(fanIn);
  return uniform(shape, rng, -bound, bound);
}
