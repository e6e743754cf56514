import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { Rng, loadSafetensors, randn, saveSafetensors, tensor } from "../../engine/index.js";
import { noGrad } from "../../autograd/index.js";
import { Nb201Network } from "../../nas/nb201/network.js";
import { tempDir } from "../helpers/temp_dir.js";

const dir = tempDir("kshot-ckpt-");
const ARCH = "|nor_conv_3x3~0|+|nor_conv_1x1~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|none~2|";

describe("safetensors checkpoints", () => {
  it("write the documented layout: 8-byte LE header length, JSON header, raw little-endian data", async () => {
    const path = join(dir, "layout.safetensors");
    await saveSafetensors(path, new Map([["a", tensor([1.5, -2], [1, 2])], ["b", tensor([7], [1], "int32")]]), { note: "x" });
    const buf = readFileSync(path);
    const n = Number(buf.readBigUInt64LE(0));
    assert.equal(n % 8, 0);
    const header = JSON.parse(buf.subarray(8, 8 + n).toString());
    assert.deepEqual(header.a, { dtype: "F32", shape: [1, 2], data_offsets: [0, 8] });
    assert.deepEqual(header.b, { dtype: "I32", shape: [1], data_offsets: [8, 12] });
    assert.deepEqual(header.__metadata__, { note: "x" });
    assert.equal(buf.readFloatLE(8 + n + 4), -2);
    assert.equal(buf.readInt32LE(8 + n + 8), 7);
  });

  it("a network saved and loaded gives bit-identical outputs", async () => {
    const cfg = { C: 4, N: 1, inChannels: 1, classes: 10 };
    const a = new Nb201Network(ARCH, cfg, new Rng(1));
    const x = randn([2, 1, 12, 12], new Rng(9));
    noGrad(() => a.forward(randn([8, 1, 12, 12], new Rng(3)))); // move running statistics off their initial values
    const path = join(dir, "net.safetensors");
    await saveSafetensors(path, a.stateDict());
    const b = new Nb201Network(ARCH, cfg, new Rng(2));
    b.loadStateDict(loadSafetensors(path).tensors);
    const ya = noGrad(() => a.eval().forward(x)).dataSync();
    const yb = noGrad(() => b.eval().forward(x)).dataSync();
    assert.deepEqual(Buffer.from(yb.buffer), Buffer.from(ya.buffer));
  });

  it("a truncated or corrupt file is an error, never a partial load", async () => {
    const path = join(dir, "ok.safetensors");
    await saveSafetensors(path, new Map([["w", tensor([1, 2, 3, 4])]]));
    const good = readFileSync(path);
    const cut = join(dir, "cut.safetensors");
    writeFileSync(cut, good.subarray(0, good.length - 3));
    assert.throws(() => loadSafetensors(cut), /cut.safetensors: not a valid safetensors file: 'w' has data_offsets \[0,16\] for 4 values of 4 bytes in 13 data bytes/);
    writeFileSync(cut, good.subarray(0, 5));
    assert.throws(() => loadSafetensors(cut), /5 bytes, shorter than the 8-byte header length/);
    const badJson = Buffer.from(good);
    badJson[9] = 0x7b; badJson[10] = 0x7b;
    writeFileSync(cut, badJson);
    assert.throws(() => loadSafetensors(cut), /the header is not JSON/);
    const long = Buffer.from(good);
    long.writeBigUInt64LE(BigInt(good.length));
    writeFileSync(cut, long);
    assert.throws(() => loadSafetensors(cut), /header of \d+ bytes but only \d+ bytes follow/);
    writeFileSync(cut, Buffer.concat([good, Buffer.alloc(4)]));
    assert.throws(() => loadSafetensors(cut), /4 bytes after the last tensor/);
  });

  it("writes atomically: a failed write leaves the previous file intact", async () => {
    const path = join(dir, "atomic.safetensors");
    await saveSafetensors(path, new Map([["w", tensor([1])]]));
    const disposed = tensor([2]);
    disposed.dispose();
    await assert.rejects(() => saveSafetensors(path, new Map([["w", disposed]])), /already disposed/);
    assert.deepEqual([...loadSafetensors(path).tensors.get("w")!.dataSync()], [1]);
  });

  it("a save that cannot land names the path and leaves no temporary file", async () => {
    const sub = mkdtempSync(join(dir, "blocked-"));
    const target = join(sub, "is-a-directory");
    mkdirSync(target);
    await assert.rejects(() => saveSafetensors(target, new Map([["w", tensor([1])]])), /is-a-directory: cannot save \(EISDIR\)/);
    assert.deepEqual(readdirSync(sub), ["is-a-directory"]);
  });
});
