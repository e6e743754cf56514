/**
 * An in-memory image classification set: uint8 pixels [count, C, H, W] and
 * int32 labels. Conversion to float, normalisation and augmentation happen
 * per batch (see batches.ts).
 */
export interface ImageDataset {
  name: string;
  images: Uint8Array;
  labels: Int32Array;
  count: number;
  channels: number;
  height: number;
  width: number;
  classes: number;
}

export function checkCounts(name: string, images: number, labels: number): void {
  if (images !== labels) throw new Error(`${name}: ${images} images but ${labels} labels`);
}

/** The subset of the given indices (in that order). */
export function subset(ds: ImageDataset, indices: ArrayLike<number>, name = ds.name): ImageDataset {
  const pix = ds.channels * ds.height * ds.width;
  const images = new Uint8Array(indices.length * pix);
  const labels = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const j = indices[i]!;
    images.set(ds.images.subarray(j * pix, (j + 1) * pix), i * pix);
    labels[i] = ds.labels[j]!;
  }
  return { ...ds, name, images, labels, count: indices.length };
}

/** The first `n` examples (all when n is undefined or larger). */
export function head(ds: ImageDataset, n?: number): ImageDataset {
  if (n === undefined || n >= ds.count) return ds;
  if (!(Number.isInteger(n) && n > 0)) throw new Error(`${ds.name}: expected a positive number of examples, received ${n}`);
  return subset(ds, Array.from({ length: n }, (_, i) => i));
}
