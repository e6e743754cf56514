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
    // long enough to hold a header, with another magic
    assert.throws(() => decodeDataset(Buffer.concat([Buffer.from("KSHOTDS2"), Buffer.from([2, 0, 0, 0]), Buffer.from("{}")]), "w.kds"), { message: "w.kds: not a kshot data set file: no KSHOTDS1 header" });
    const bad = Buffer.from(b);
    bad.writeInt32LE(4, bad.length - 4);
    assert.throws(() => decodeDataset(bad, "v.kds"), /label 2 is 4, expected 0\.\.3/);
  });

  /** A file of the given header fields and body bytes, built by hand. */
  function withHeader(header: Record<string, unknown> | string, body: number[]): Buffer {
    const h = Buffer.from(typeof header === "string" ? header : JSON.stringify(header));
    const len = Buffer.alloc(4);
    len.writeUInt32LE(h.length);
    return Buffer.concat([Buffer.from("KSHOTDS1"), len, h, Buffer.from(body)]);
  }
  const good = { name: "g", count: 1, channels: 1, height: 1, width: 2, classes: 3 };

  it("reads a hand-built file: 2 pixels, then one int32 LE label", () => {
    const d = decodeDataset(withHeader(good, [7, 9, 2, 0, 0, 0]), "h");
    assert.deepEqual([d.name, d.count, d.width, ...d.images, ...d.labels], ["g", 1, 2, 7, 9, 2]);
    const empty = decodeDataset(withHeader({ ...good, count: 0 }, []), "h");
    assert.equal(empty.count, 0, "a data set of no images is a valid file");
  });

  it("names each header field that is missing, not a whole number, or too small", () => {
    for (const k of ["count", "channels", "height", "width", "classes"]) {
      const { [k]: _, ...rest } = good as Record<string, unknown>;
      assert.throws(() => decodeDataset(withHeader(rest, []), "h"), new RegExp(`^Error: h: not a kshot data set file: header\\.${k} is undefined$`));
      assert.throws(() => decodeDataset(withHeader({ ...good, [k]: 1.5 }, []), "h"), new RegExp(`header\\.${k} is 1\\.5$`));
      assert.throws(() => decodeDataset(withHeader({ ...good, [k]: -1 }, []), "h"), new RegExp(`header\\.${k} is -1$`));
    }
    for (const k of ["channels", "height", "width", "classes"]) assert.throws(() => decodeDataset(withHeader({ ...good, [k]: 0 }, []), "h"), new RegExp(`header\\.${k} is 0$`));
    assert.throws(() => decodeDataset(withHeader({ ...good, name: 5 }, [7, 9, 2, 0, 0, 0]), "h"), /header\.name is 5$/);
  });

  it("refuses a header that is cut off or not JSON, and a file shorter than its magic", () => {
    assert.throws(() => decodeDataset(withHeader(good, []).subarray(0, 20), "h"), /: truncated header$/);
    assert.throws(() => decodeDataset(withHeader("{oops", []), "h"), /: header is not JSON \(/);
    assert.throws(() => decodeDataset(Buffer.from("KSHOTDS1"), "h"), /: no KSHOTDS1 header$/);
    assert.throws(() => decodeDataset(Buffer.from("KSHOTDS1\x00\x00\x00"), "h"), /: no KSHOTDS1 header$/, "11 bytes");
    // exactly 12 bytes: the magic and a header length of 0, whose empty header is not JSON
    assert.throws(() => decodeDataset(Buffer.from("KSHOTDS1\x00\x00\x00\x00"), "h"), /header is not JSON/);
  });

  it("counts pixels as count x channels x height x width and labels as 4 bytes each", () => {
    const h = { name: "s", count: 2, channels: 3, height: 2, width: 4, classes: 2 };
    const body = [...Array(48).fill(1), 1, 0, 0, 0, 0, 0, 0, 0];
    assert.equal(decodeDataset(withHeader(h, body), "s").images.length, 48);
    const hdr = Buffer.byteLength(JSON.stringify(h));
    assert.throws(() => decodeDataset(withHeader(h, body.slice(1)), "s"), new RegExp(`: ${12 + hdr + 55} bytes, expected ${12 + hdr + 56} for 2 images of 3x2x4$`));
    assert.throws(() => decodeDataset(withHeader(good, [7, 9, 255, 255, 255, 255]), "h"), /label 0 is -1, expected 0\.\.2$/);
  });
});

