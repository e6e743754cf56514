import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";

// IDX files (MNIST, Fashion-MNIST): a big-endian magic 0x0000TTDD (TT = 0x08
// for unsigned bytes, DD = number of dimensions), DD big-endian 32-bit sizes,
// then the data. Files may be gzip-compressed.

export interface IdxArray { dims: number[]; data: Uint8Array }

/** Reads a file, gunzipping it when it starts with the gzip magic. */
export function readMaybeGzip(path: string): Buffer {
  let raw: Buffer;
  try {
    raw = readFileSync(path);
  } catch (e) {
    throw new Error(`${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  if (raw[0] === 0x1f && raw[1] === 0x8b) { // past the end, a Buffer reads undefined
    try {
      return gunzipSync(raw);
    } catch (e) {
      throw new Error(`${path}: corrupt gzip data (${(e as Error).message})`);
    }
  }
  return raw;
}

export function readIdx(path: string, expectedDims: number): IdxArray {
  const buf = readMaybeGzip(path);
  if (buf.length < 4) throw new Error(`${path}: not an IDX file: only ${buf.length} bytes`);
  const magic = buf.readUInt32BE(0);
  const type = (magic >> 8) & 0xff, nd = magic & 0xff;
  if (magic >>> 16 !== 0 || type !== 0x08 || nd !== expectedDims) {
    throw new Error(`${path}: wrong magic number 0x${magic.toString(16).padStart(8, "0")}, expected 0x0000080${expectedDims} (unsigned bytes, ${expectedDims} dimensions)`);
  }
  if (buf.length < 4 + 4 * nd) throw new Error(`${path}: truncated header`);
  const dims = Array.from({ length: nd }, (_, i) => buf.readUInt32BE(4 + 4 * i));
  const count = dims.reduce((a, b) => a * b, 1);
  const start = 4 + 4 * nd;
  if (buf.length - start !== count) {
    throw new Error(`${path}: ${buf.length - start} data bytes, expected ${count} for dimensions [${dims.join(", ")}]${buf.length - start < count ? " (truncated)" : ""}`);
  }
  return { dims, data: new Uint8Array(buf.buffer, buf.byteOffset + start, count) };
}
