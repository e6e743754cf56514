import { Rng, tensor, type Tensor } from "../engine/index.js";
import type { ImageDataset } from "./dataset.js";

export interface BatchOptions {
  batchSize: number;
  /** Shuffle with this generator (each call draws a new order); in order when absent. */
  rng?: Rng;
  /** Per-channel mean and std applied to pixels scaled to [0, 1]. */
  mean: readonly number[];
  std: readonly number[];
  /** CIFAR augmentation: random crop with this zero padding, then horizontal flip. */
  cropPadding?: number;
  flip?: boolean;
  /** Drop a last batch shorter than batchSize (default false: kept). */
  dropLast?: boolean;
}

/** `labels` are y's values on the host, so reading them costs no transfer from a GPU. */
export interface Batch { x: Tensor; y: Tensor; labels: Int32Array }

/** Number of batches an epoch yields. */
export function batchCount(count: number, o: Pick<BatchOptions, "batchSize" | "dropLast">): number {
  return o.dropLast ? Math.floor(count / o.batchSize) : Math.ceil(count / o.batchSize);
}

/**
 * One epoch of float batches [B, C, H, W], normalised, augmented if asked.
 * The order (and every augmentation) is drawn from `rng`, so a seed fixes it.
 */
export function* batches(ds: ImageDataset, o: BatchOptions): Generator<Batch> {
  if (o.mean.length !== ds.channels || o.std.length !== ds.channels) {
    throw new Error(`batches: expected ${ds.channels} per-channel means and stds for ${ds.name}, received ${o.mean.length} and ${o.std.length}`);
  }
  const order = Int32Array.from({ length: ds.count }, (_, i) => i);
  if (o.rng) o.rng.shuffle(order);
  const { channels: c, height: h, width: w } = ds;
  const pix = c * h * w;
  const scale = o.std.map((s) => 1 / (255 * s));
  const shift = o.mean.map((m, k) => -m / o.std[k]!);
  const n = batchCount(ds.count, o);
  for (let b = 0; b < n; b++) {
    const idx = order.subarray(b * o.batchSize, Math.min(ds.count, (b + 1) * o.batchSize));
    const x = new Float32Array(idx.length * pix);
    const y = new Int32Array(idx.length);
    for (let i = 0; i < idx.length; i++) {
      const src = idx[i]! * pix;
      y[i] = ds.labels[idx[i]!]!;
      const p = o.cropPadding ?? 0;
      const dy = p > 0 ? o.rng!.int(2 * p + 1) - p : 0;
      const dx = p > 0 ? o.rng!.int(2 * p + 1) - p : 0;
      const flip = o.flip === true && o.rng!.uniform() < 0.5;
      for (let ch = 0; ch < c; ch++) {
        const sc = scale[ch]!, sh = shift[ch]!;
        for (let r = 0; r < h; r++) {
          const sr = r + dy;
          for (let col = 0; col < w; col++) {
            const sc2 = (flip ? w - 1 - col : col) + dx;
            // padding pixels are zeros before normalisation, as torchvision's RandomCrop(padding)
            const v = sr >= 0 && sr < h && sc2 >= 0 && sc2 < w ? ds.images[src + (ch * h + sr) * w + sc2]! : 0;
            x[((i * c + ch) * h + r) * w + col] = v * sc + sh;
          }
        }
      }
    }
    yield { x: tensor(x, [idx.length, c, h, w]), y: tensor(y, [idx.length]), labels: y };
  }
}

/**
 * Splits off a validation set: `valCount` examples drawn with `rng`, the
 * rest for training (the paper searches on a split of the training data).
 */
export function splitIndices(count: number, valCount: number, rng: Rng): { train: Int32Array; val: Int32Array } {
  if (!(Number.isInteger(valCount) && valCount >= 0 && valCount < count)) {
    throw new Error(`validation split: expected 0 <= size < ${count}, received ${valCount}`);
  }
  const order = Int32Array.from({ length: count }, (_, i) => i);
  rng.shuffle(order);
  return { val: order.slice(0, valCount).sort(), train: order.slice(valCount).sort() };
}
