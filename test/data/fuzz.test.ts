import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { gunzipSync } from "node:zlib";
import { Rng, loadSafetensors, saveSafetensors, tensor } from "../../engine/index.js";
import { numericColumn, readCsv } from "../../data/csv.js";
import { readIdx } from "../../data/idx.js";
import { formatNb201, parseNb201 } from "../../nas/nb201/arch.js";
import { EMBEDDED_FASHION_MNIST } from "../../train/datasets.js";
import { tempDir } from "../helpers/temp_dir.js";

// Seeded, bounded fuzzing of the readers: valid inputs with bytes flipped,
// cut, duplicated or inserted, and random bytes. A reader either returns
// something well-formed or throws an Error of its own naming the input,
// never a TypeError, RangeError or other error from deep inside.

const dir = tempDir("kshot-fuzz-");
const ROUNDS = Number(process.env.FUZZ_ROUNDS ?? 150);

function mutate(src: Uint8Array, rng: Rng): Uint8Array {
  const b = [...src];
  switch (rng.int(5)) {
    case 0: for (let i = 0, n = 1 + rng.int(4); i < n && b.length > 0; i++) b[rng.int(b.length)] = rng.int(256); break; // flip bytes
    case 1: b.length = rng.int(b.length + 1); break; // truncate
    case 2: { const at = rng.int(b.length + 1); b.splice(at, 0, ...Array.from({ length: 1 + rng.int(8) }, () => rng.int(256))); break; } // insert
    case 3: { const at = rng.int(b.length + 1), n = rng.int(16); b.splice(at, 0, ...b.slice(at, at + n)); break; } // duplicate a run
    default: return Uint8Array.from({ length: rng.int(64) }, () => rng.int(256)); // random bytes
  }
  return Uint8Array.from(b);
}

/** Runs `read`; a throw must be a plain Error whose message names `what`. */
function expectCleanFailure(read: () => unknown, what: string, input: string): boolean {
  try {
    read();
    return true;
  } catch (e) {
    assert.equal((e as Error).constructor, Error, `${(e as Error).constructor.name} on ${input}: ${(e as Error).message}`);
    assert.ok((e as Error).message.includes(what), `message without '${what}' on ${input}: ${(e as Error).message}`);
    assert.doesNotMatch((e as Error).message, /undefined|NaN|\[object/, `unhelpful message on ${input}`);
    return false;
  }
}

describe("reader fuzzing (seeded)", () => {
  it("NAS-Bench-201 architecture strings", () => {
    const rng = new Rng(1);
    const valid = new TextEncoder().encode("|nor_conv_3x3~0|+|nor_conv_1x1~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|none~2|");
    let parsed = 0;
    for (let i = 0; i < ROUNDS * 4; i++) {
      const s = new TextDecoder().decode(mutate(valid, rng));
      let arch;
      if (expectCleanFailure(() => { arch = parseNb201(s); }, "invalid NAS-Bench-201 architecture", JSON.stringify(s))) {
        assert.equal(formatNb201(arch!), s, "whatever parses must be the canonical string");
        parsed++;
      }
    }
    assert.ok(parsed < ROUNDS * 4, "some mutations must fail");
  });

  it("CSV tables with a numeric column", () => {
    const rng = new Rng(2);
    const valid = new TextEncoder().encode("arch,val_acc\n|a|,0.5\n|b|,0.25\n\"|c,d|\",1e-3\n");
    for (let i = 0; i < ROUNDS; i++) {
      const p = join(dir, `t${i}.csv`);
      writeFileSync(p, mutate(valid, rng));
      if (expectCleanFailure(() => numericColumn(readCsv(p), "arch", "val_acc"), p, p)) {
        for (const v of numericColumn(readCsv(p), "arch", "val_acc").values()) assert.ok(Number.isFinite(v));
      }
    }
  });

  it("IDX files, raw and gzip", () => {
    const rng = new Rng(3);
    const labels = gunzipSync(readFileSync(join(EMBEDDED_FASHION_MNIST, "t10k-labels-idx1-ubyte.gz"))).subarray(0, 8 + 40);
    const header = Buffer.from(labels.subarray(0, 8));
    header.writeUInt32BE(40, 4); // 40 labels
    const valid = Buffer.concat([header, labels.subarray(8)]);
    const gz = readFileSync(join(EMBEDDED_FASHION_MNIST, "t10k-labels-idx1-ubyte.gz")).subarray(0, 200);
    for (let i = 0; i < ROUNDS; i++) {
      const p = join(dir, `i${i}`);
      writeFileSync(p, mutate(i % 3 === 0 ? gz : valid, rng));
      if (expectCleanFailure(() => readIdx(p, 1), p, p)) {
        const r = readIdx(p, 1);
        assert.equal(r.data.length, r.dims.reduce((a, b) => a * b, 1));
      }
    }
  });

  it("safetensors files", async () => {
    const rng = new Rng(4);
    const base = join(dir, "valid.safetensors");
    await saveSafetensors(base, new Map([["a", tensor([1, 2, 3, 4], [2, 2])], ["b", tensor([5, 6], [2], "int32")]]), { note: "x" });
    const valid = readFileSync(base);
    for (let i = 0; i < ROUNDS; i++) {
      const p = join(dir, `s${i}.safetensors`);
      writeFileSync(p, mutate(valid, rng));
      if (expectCleanFailure(() => loadSafetensors(p), p, p)) {
        for (const t of loadSafetensors(p).tensors.values()) assert.equal(t.dataSync().length, t.shape.reduce((a, b) => a * b, 1));
      }
    }
  });
});
