import { closeSync, fsyncSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import type { DType, TypedArray } from "../dtype.js";
import { engine } from "../engine.js";
import type { Tensor } from "../tensor.js";

// The safetensors format: an 8-byte little-endian header length, a JSON
// header mapping each name to {dtype, shape, data_offsets: [begin, end]}
// (offsets into the data section) plus optional "__metadata__" strings, then
// the raw little-endian data. Python reads these files with `safetensors`.

const codes: Record<DType, string> = { float32: "F32", int32: "I32" };
const dtypes: Record<string, DType> = { F32: "float32", I32: "int32" };

/** Writes tensors atomically: a temporary file, fsync, then rename over `path`. */
export async function saveSafetensors(path: string, tensors: ReadonlyMap<string, Tensor>, metadata: Record<string, string> = {}): Promise<void> {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const [name, t] of tensors) {
    const values = await t.data();
    const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
    header[name] = { dtype: codes[t.dtype], shape: [...t.shape], data_offsets: [offset, offset + bytes.length] };
    chunks.push(bytes);
    offset += bytes.length;
  }
  let json = JSON.stringify(header);
  json += " ".repeat((8 - (json.length % 8)) % 8); // the format pads the header to 8 bytes
  const head = Buffer.alloc(8);
  head.writeBigUInt64LE(BigInt(Buffer.byteLength(json)));
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, "w");
  // a failed save leaves neither a partial file nor its temporary behind
  try {
    try {
      writeSync(fd, head);
      writeSync(fd, Buffer.from(json));
      for (const c of chunks) writeSync(fd, c);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    unlinkSync(tmp);
    throw new Error(`${path}: cannot save (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const dir = openSync(dirname(path), "r");
  try { fsyncSync(dir); } finally { closeSync(dir); }
}

export interface Safetensors {
  tensors: Map<string, Tensor>;
  metadata: Record<string, string>;
}

/** Reads a safetensors file; any inconsistency (truncation, bad header, overlapping data) is an error naming the file. */
export function loadSafetensors(path: string): Safetensors {
  return parseSafetensors(readFileSync(path), path);
}

/** Parses the bytes of a safetensors file (read or downloaded elsewhere); errors name `source`. */
export function parseSafetensors(bytes: Uint8Array, source: string): Safetensors {
  const fail = (what: string): never => { throw new Error(`${source}: not a valid safetensors file: ${what}`); };
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < 8) fail(`${buf.length} bytes, shorter than the 8-byte header length`);
  const headerLen = Number(buf.readBigUInt64LE(0));
  if (headerLen > buf.length - 8) fail(`header of ${headerLen} bytes but only ${buf.length - 8} bytes follow`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(buf.subarray(8, 8 + headerLen).toString("utf8"));
  } catch {
    return fail("the header is not JSON");
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) fail("the header is not a JSON object");
  const header = parsed as Record<string, any>;
  const dataStart = 8 + headerLen;
  const dataLen = buf.length - dataStart;
  const metadata: Record<string, string> = header.__metadata__ ?? {};
  const entries = Object.entries(header).filter(([k]) => k !== "__metadata__");
  const spans: [number, number, string][] = [];
  const tensors = new Map<string, Tensor>();
  for (const [name, info] of entries) {
    const code = info?.dtype;
    const dtype = typeof code === "string" && Object.hasOwn(dtypes, code) ? dtypes[code] : undefined;
    if (dtype === undefined) fail(`'${name}' has ${code === undefined ? "no dtype" : `dtype ${JSON.stringify(code)}`} (kshot reads F32 and I32)`);
    const shape = info.shape;
    if (!Array.isArray(shape) || !shape.every((d: unknown) => Number.isInteger(d) && (d as number) >= 0)) fail(`'${name}' has ${shape === undefined ? "no shape" : `shape ${JSON.stringify(shape)}`}`);
    const offsets = info.data_offsets;
    if (!Array.isArray(offsets) || offsets.length !== 2) fail(`'${name}' has ${offsets === undefined ? "no data_offsets" : `data_offsets ${JSON.stringify(offsets)}`}`);
    const [begin, end] = offsets;
    const count = shape.reduce((a: number, b: number) => a * b, 1);
    if (!Number.isInteger(begin) || !Number.isInteger(end) || begin < 0 || end > dataLen || end - begin !== count * 4) {
      fail(`'${name}' has data_offsets ${JSON.stringify(info.data_offsets)} for ${count} values of 4 bytes in ${dataLen} data bytes`);
    }
    spans.push([begin, end, name]);
    const bytes = buf.subarray(dataStart + begin, dataStart + end);
    const copy = new Uint8Array(bytes); // aligned, owned copy
    const values: TypedArray = dtype === "float32" ? new Float32Array(copy.buffer) : new Int32Array(copy.buffer);
    tensors.set(name, engine.fromValues(values, shape));
  }
  spans.sort((a, b) => a[0] - b[0]);
  let at = 0;
  for (const [begin, end, name] of spans) {
    if (begin !== at) fail(`data of '${name}' starts at ${begin}, expected ${at} (gaps and overlaps are not allowed)`);
    at = end;
  }
  if (at !== dataLen) fail(`${dataLen - at} bytes after the last tensor`);
  return { tensors, metadata };
}
