import type { DType, TypedArray } from "../engine/dtype.js";
import { cpuBackend, type Tensor } from "../engine/index.js";
import type { ImageDataset } from "../data/dataset.js";

// Weights and data written once into SharedArrayBuffers, then read by every
// worker thread through views: nothing is copied per worker.

export interface SharedTensorSpec { name: string; shape: number[]; dtype: DType; offset: number }
export interface SharedArena { buffer: SharedArrayBuffer; tensors: SharedTensorSpec[] }

/** Copies tensors once into one shared buffer (16-byte aligned entries), read from whichever backend holds them. */
export async function packTensors(tensors: ReadonlyMap<string, Tensor>): Promise<SharedArena> {
  const specs: SharedTensorSpec[] = [];
  let bytes = 0;
  for (const [name, t] of tensors) {
    specs.push({ name, shape: [...t.shape], dtype: t.dtype, offset: bytes });
    bytes += Math.ceil((t.size * 4) / 16) * 16;
  }
  const buffer = new SharedArrayBuffer(Math.max(16, bytes));
  const values = [...tensors.values()];
  for (const [i, s] of specs.entries()) viewOf(buffer, s).set(await values[i]!.data());
  return { buffer, tensors: specs };
}

export function viewOf(buffer: SharedArrayBuffer, s: SharedTensorSpec): TypedArray {
  const n = s.shape.reduce((a, b) => a * b, 1);
  return s.dtype === "float32" ? new Float32Array(buffer, s.offset, n) : new Int32Array(buffer, s.offset, n);
}

/**
 * Points each named tensor's storage at its view in the arena (the tensors
 * keep their identity, so modules holding them now read shared memory).
 */
export function bindTensors(arena: SharedArena, tensors: ReadonlyMap<string, Tensor>): void {
  const byName = new Map(arena.tensors.map((s) => [s.name, s]));
  for (const [name, t] of tensors) {
    const s = byName.get(name);
    if (s === undefined) throw new Error(`shared arena: no tensor '${name}'`);
    cpuBackend.rebind(t.dataId, viewOf(arena.buffer, s));
  }
}

export interface SharedDataset { meta: Omit<ImageDataset, "images" | "labels">; images: SharedArrayBuffer; labels: SharedArrayBuffer }

export function shareDataset(ds: ImageDataset): SharedDataset {
  const images = new SharedArrayBuffer(ds.images.length), labels = new SharedArrayBuffer(ds.labels.length * 4);
  new Uint8Array(images).set(ds.images);
  new Int32Array(labels).set(ds.labels);
  const { images: _i, labels: _l, ...meta } = ds;
  return { meta, images, labels };
}

export function datasetView(s: SharedDataset): ImageDataset {
  return { ...s.meta, images: new Uint8Array(s.images), labels: new Int32Array(s.labels) };
}

