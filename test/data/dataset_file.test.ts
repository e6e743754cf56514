import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { decodeDataset, encodeDataset } from "../../data/dataset_file.js";
import type { ImageDataset } from "../../data/dataset.js";

const ds: ImageDataset = {
  name: "tiny", count: 3, channels: 2, height: 2, width: 1, classes: 4,
  images: Uint8Array.from({ length: 12 }, (_, i) => i * 20), labels: Int32Array.from([3, 0, 2]),
};

describe("data set file", () => {
  it("writes the documented layout: magic, header length, JSON header, pixels, int32 LE labels", () => {
    const b = encodeDataset(ds);
    assert.equal(b.toString("latin1", 0, 8), "KSHOTDS1");
    const n = b.readUInt32LE(8);
    assert.deepEqual(JSON.parse(b.toString("utf8", 12, 12 + n)), { name: "tiny", count: 3, channels: 2, height: 2, width: 1, classes: 4 });
    assert.deepEqual([...b.subarray(12 + n, 12 + n + 12)], [...ds.images]);
    assert.deepEqual([0, 1, 2].map((i) => b.readInt32LE(12 + n + 12 + 4 * i)), [3, 0, 2]);
    assert.equal(b.length, 12 + n + 12 + 12);
  });

  it("reads back what it wrote", () => {
    const back = decodeDataset(encodeDataset(ds), "x");
    assert.deepEqual({ ...back, images: [...back.images], labels: [...back.labels] }, { ...ds, images: [...ds.images], labels: [...ds.labels] });
  });

  it("refuses truncated files, another magic and labels out of range, naming the source", () => {
    const b = encodeDataset(ds);
    assert.throws(() => decodeDataset(b.subarray(0, b.length - 1), "v.kds"), /v\.kds: not a kshot data set file: \d+ bytes, expected/);
    assert.throws(() => decodeDataset(Buffer.from("KSHOTDS2"), "v.kds"), /no KSHOTDS1 header/);
    const bad = Buffer.from(b);
    bad.writeInt32LE(4, bad.length - 4);
    assert.throws(() => decodeDataset(bad, "v.kds"), /label 2 is 4, expected 0\.\.3/);
  });
});
