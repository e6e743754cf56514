import type { ImageDataset } from "./dataset.js";

// One image data set in one file, so that a split can travel to another
// machine by reference and be checked by its SHA-256:
//   "KSHOTDS1", header length (uint32 LE), JSON header
//   {name, count, channels, height, width, classes}, uint8 pixels
//   [count, C, H, W], int32 LE labels [count].

const MAGIC = "KSHOTDS1";

export function encodeDataset(ds: ImageDataset): Buffer {
  const header = Buffer.from(JSON.stringify({ name: ds.name, count: ds.count, channels: ds.channels, height: ds.height, width: ds.width, classes: ds.classes }));
  const labels = Buffer.alloc(ds.count * 4);
  for (let i = 0; i < ds.count; i++) labels.writeInt32LE(ds.labels[i]!, i * 4);
  const length = Buffer.alloc(4);
  length.writeUInt32LE(header.length);
  return Buffer.concat([Buffer.from(MAGIC), length, header, ds.images, labels]);
}

/** Reads what encodeDataset wrote; anything else (truncated, wrong sizes, labels out of range) is an error naming `source`. */
export function decodeDataset(bytes: Uint8Array, source: string): ImageDataset {
  const fail = (what: string): never => { throw new Error(`${source}: not a kshot data set file: ${what}`); };
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < 12 || buf.toString("latin1", 0, 8) !== MAGIC) fail(`no ${MAGIC} header`);
  const headerEnd = 12 + buf.readUInt32LE(8);
  if (headerEnd > buf.length) fail("truncated header");
  let h: Record<string, unknown>;
  try {
    h = JSON.parse(buf.toString("utf8", 12, headerEnd)) as Record<string, unknown>;
  } catch (e) {
    return fail(`header is not JSON (${(e as Error).message})`);
  }
  for (const k of ["count", "channels", "height", "width", "classes"]) {
    if (!(Number.isInteger(h[k]) && (h[k] as number) >= (k === "count" ? 0 : 1))) fail(`header.${k} is ${JSON.stringify(h[k])}`);
  }
  if (typeof h.name !== "string") fail(`header.name is ${JSON.stringify(h.name)}`);
  const { count, channels, height, width, classes } = h as Record<string, number>;
  const pixels = count! * channels! * height! * width!;
  if (buf.length !== headerEnd + pixels + count! * 4) fail(`${buf.length} bytes, expected ${headerEnd + pixels + count! * 4} for ${count} images of ${channels}x${height}x${width}`);
  const images = new Uint8Array(buf.subarray(headerEnd, headerEnd + pixels));
  const labels = new Int32Array(count!);
  for (let i = 0; i < count!; i++) {
    const y = buf.readInt32LE(headerEnd + pixels + i * 4);
    if (!(y >= 0 && y < classes!)) fail(`label ${i} is ${y}, expected 0..${classes! - 1}`);
    labels[i] = y;
  }
  return { name: h.name as string, images, labels, count: count!, channels: channels!, height: height!, width: width!, classes: classes! };
}
