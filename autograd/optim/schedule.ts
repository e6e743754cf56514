/**
 * Learning rate at a 0-based optimiser step: linear warm-up over
 * `warmupSteps` (from base/warmupSteps up to base), then cosine annealing to
 * `minLr` at `totalSteps`, as PyTorch's CosineAnnealingLR stepped per
 * iteration (step 0 uses the base rate when there is no warm-up).
 */
export function cosineLr(base: number, step: number, totalSteps: number, o: { warmupSteps?: number; minLr?: number } = {}): number {
  const warm = o.warmupSteps ?? 0;
  const min = o.minLr ?? 0;
  if (step < warm) return (base * (step + 1)) / warm;
  const span = Math.max(1, totalSteps - warm);
  const t = Math.min(step - warm, span);
  return min + ((base - min) * (1 + Math.cos((Math.PI * t) / span))) / 2;
}

/**
 * Learning rate at a 0-based optimiser step for the paper's retraining
 * recipe (EfficientNet's): linear warm-up over `warmupSteps` (from
 * base/warmupSteps up to base, as cosineLr), then base * factor^floor(step /
 * decaySteps), the staircase counted from step 0 as TensorFlow's
 * exponential_decay under its warm-up.
 */
export function stepDecayLr(base: number, step: number, o: { warmupSteps?: number; decaySteps: number; factor: number }): number {
  const warm = o.warmupSteps ?? 0;
  if (step < warm) return (base * (step + 1)) / warm;
  return base * o.factor ** Math.floor(step / Math.max(1, o.decaySteps));
}
