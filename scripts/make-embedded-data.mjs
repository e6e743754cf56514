// Writes the embedded Fashion-MNIST subset (data/fashion-mnist-subset/) from
// the full IDX files: the first 10,000 training and 2,000 test images with
// their labels, as gzip IDX. Usage:
//   node scripts/make-embedded-data.mjs [/usr/share/datasets/fashion-mnist]
// (Debian's dataset-fashion-mnist package installs the full files there.)
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";

const src = process.argv[2] ?? "/usr/share/datasets/fashion-mnist";
const out = "data/fashion-mnist-subset";
const take = { "train-images-idx3-ubyte": 10000, "train-labels-idx1-ubyte": 10000, "t10k-images-idx3-ubyte": 2000, "t10k-labels-idx1-ubyte": 2000 };

mkdirSync(out, { recursive: true });
for (const [name, n] of Object.entries(take)) {
  const raw = gunzipSync(readFileSync(join(src, `${name}.gz`)));
  const nd = raw.readUInt32BE(0) & 0xff;
  const dims = Array.from({ length: nd }, (_, i) => raw.readUInt32BE(4 + 4 * i));
  const per = dims.slice(1).reduce((a, b) => a * b, 1);
  const header = Buffer.from(raw.subarray(0, 4 + 4 * nd));
  header.writeUInt32BE(n, 4);
  const body = raw.subarray(4 + 4 * nd, 4 + 4 * nd + n * per);
  // mtime 0 in the gzip header keeps the output byte-identical across runs
  writeFileSync(join(out, `${name}.gz`), gzipSync(Buffer.concat([header, body]), { level: 9 }));
  console.log(`${name}: ${n} of ${dims[0]}`);
}
