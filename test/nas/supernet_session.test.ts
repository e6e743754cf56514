// A supernet run's session and checkpoint on a tiny supernet (40 images, one
// short epoch): the data split, what a checkpoint carries back, and each
// refusal of a damaged or unusable one, named by file and field. The slow
// end-to-end runs (bit-identical resume, the CLI) are in supernet_run.test.ts.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { loadSafetensors, saveSafetensors, tensor } from "../../engine/index.js";
import {
  buildSupernetSession, continueSupernetTraining, loadSupernetCheckpoint, readSupernetWeights, type SupernetConfig,
} from "../../nas/supernet/session.js";
import { DEFAULT_SUPERNET_OPTIONS } from "../../nas/supernet/trainer.js";
import { EMBEDDED_FASHION_MNIST } from "../../train/datasets.js";
import { vals } from "../helpers/near.js";
import { tempDir } from "../helpers/temp_dir.js";

const dir = tempDir("kshot-session-");
const config: SupernetConfig = {
  ...DEFAULT_SUPERNET_OPTIONS, space: "nb201", mode: "kshot", K: 2, C: 2, N: 1, dataset: "fashion-mnist",
  dataDir: EMBEDDED_FASHION_MNIST, trainLimit: 40, valSize: 8, epochs: 1, warmupEpochs: 0, batchSize: 20, m: 2, simplexBatch: 8, hidden: 4, seed: 3,
};

/** A checkpoint after one epoch, and its parts for making damaged copies. */
async function trained(name: string) {
  const path = join(dir, name);
  await continueSupernetTraining(buildSupernetSession(config), path);
  const { tensors, metadata } = loadSafetensors(path);
  return { path, tensors, meta: JSON.parse(metadata.kshot_supernet!) as Record<string, unknown> & { config: Record<string, unknown> } };
}

describe("supernet session", () => {
  it("holds out valSize of the first trainLimit images for evaluation, the rest for training, drawn from the seed", () => {
    const s = buildSupernetSession(config);
    assert.deepEqual([s.train.count, s.val.count], [32, 8]);
    const image = (ds: typeof s.train, i: number) => Buffer.from(ds.images.subarray(i * 784, (i + 1) * 784)).toString("hex");
    const trainImages = new Set(Array.from({ length: 32 }, (_, i) => image(s.train, i)));
    for (let i = 0; i < 8; i++) assert.ok(!trainImages.has(image(s.val, i)), `validation image ${i} is not a training image`);
    assert.deepEqual(buildSupernetSession(config).val.labels, s.val.labels, "the same seed, the same split");
    assert.notDeepEqual(buildSupernetSession({ ...config, seed: 4 }).val.images, s.val.images, "another seed, another split");
    assert.equal(s.trainer.options.K, 2);
    assert.equal(s.simplex.K, 2);
  });

  it("a checkpoint brings back the epoch, the step, the generator, the weights and both optimisers' state", async () => {
    const s = buildSupernetSession(config);
    await continueSupernetTraining(s, join(dir, "round.safetensors"));
    const back = loadSupernetCheckpoint(join(dir, "round.safetensors"), { resume: true });
    assert.deepEqual([back.trainer.epoch, back.trainer.globalStep], [1, 2]); // 32 images in batches of 20
    assert.deepEqual(back.trainer.rng.getState(), s.trainer.rng.getState());
    for (const [a, b] of [[s.supernet, back.supernet], [s.simplex, back.simplex]] as const) {
      const want = a.namedParameters(), got = new Map(b.namedParameters());
      for (const [n, t] of want) assert.deepEqual(vals(got.get(n)!), vals(t), n);
    }
    const state = (o: typeof s.trainer.optTheta) => [...o.stateTensors()].map(([n, t]) => [n, vals(t)]);
    assert.deepEqual(state(back.trainer.optTheta), state(s.trainer.optTheta));
    assert.deepEqual(state(back.trainer.optSimplex), state(s.trainer.optSimplex));
    const { config: c, state: weights } = readSupernetWeights(readFileSync(join(dir, "round.safetensors")), "round");
    assert.equal(c.seed, 3);
    assert.ok([...weights.keys()].every((n) => n.startsWith("supernet.") || n.startsWith("simplex.")), "weights only, no optimiser state");
    assert.equal(weights.size, s.supernet.stateDict().size + s.simplex.stateDict().size);
  });

  it("refuses a damaged checkpoint, naming the file and the field", async () => {
    const { tensors, meta } = await trained("base.safetensors");
    const variant = async (name: string, m: unknown) => {
      const p = join(dir, name);
      await saveSafetensors(p, tensors, { kshot_supernet: typeof m === "string" ? m : JSON.stringify(m) });
      return p;
    };
    const cases: [unknown, string][] = [
      ["{", "not JSON ("],
      ["3", "not an object"],
      [{ ...meta, config: undefined }, "no 'config'"],
      [{ ...meta, config: { ...meta.config, m: 0 } }, "config.m is 0, expected an integer >= 1"],
      [{ ...meta, config: { ...meta.config, hidden: 2.5 } }, "config.hidden is 2.5, expected an integer >= 1"],
      [{ ...meta, config: { ...meta.config, seed: -1 } }, "config.seed is -1, expected an integer >= 0"],
      [{ ...meta, config: { ...meta.config, valSize: "8" } }, 'config.valSize is "8", expected an integer >= 0'],
      [{ ...meta, config: { ...meta.config, tau: null } }, "config.tau is null, expected a number"],
      [{ ...meta, config: { ...meta.config, space: "darts" } }, 'config.space is "darts", expected "nb201" or "mbv2"'],
      [{ ...meta, config: { ...meta.config, mode: 1 } }, "config.mode is 1, expected a mode"],
      [{ ...meta, epoch: -1 }, "epoch is -1, expected an integer >= 0"],
      [{ ...meta, globalStep: 1.5 }, "globalStep is 1.5, expected an integer >= 0"],
      [{ ...meta, rng: "seed" }, 'rng is "seed", expected the generator\'s state'],
    ];
    for (const [i, [m, what]] of cases.entries()) {
      const p = await variant(`bad${i}.safetensors`, m);
      assert.throws(() => loadSupernetCheckpoint(p), (e: Error) => e.message.startsWith(`${p}: damaged kshot supernet metadata: ${what}`), what);
    }
    // accepted at the bounds: warm-up 0, epoch 0
    loadSupernetCheckpoint(await variant("bounds.safetensors", { ...meta, epoch: 0, globalStep: 0, config: { ...meta.config, warmupEpochs: 0 } }));
    const none = join(dir, "none.safetensors");
    await saveSafetensors(none, tensors, {});
    assert.throws(() => loadSupernetCheckpoint(none), { message: `${none}: not a kshot supernet checkpoint (no 'kshot_supernet' metadata)` });
  });

  it("refuses non-finite weights, a moved data directory, and a resume without optimiser state", async () => {
    const { tensors, meta } = await trained("base2.safetensors");
    const name = [...tensors.keys()].find((n) => n.startsWith("simplex."))!;
    const poisoned = new Map(tensors);
    const values = Float32Array.from(tensors.get(name)!.dataSync());
    values[0] = Number.NaN;
    poisoned.set(name, tensor(values, tensors.get(name)!.shape));
    const nan = join(dir, "nan.safetensors");
    await saveSafetensors(nan, poisoned, { kshot_supernet: JSON.stringify(meta) });
    assert.throws(() => loadSupernetCheckpoint(nan), { message: `${nan}: ${name} holds 1 non-finite value(s) (NaN or infinity); the run had diverged before this checkpoint` });

    const moved = join(dir, "moved.safetensors");
    await saveSafetensors(moved, tensors, { kshot_supernet: JSON.stringify({ ...meta, config: { ...meta.config, dataDir: join(dir, "gone") } }) });
    assert.throws(() => loadSupernetCheckpoint(moved), { message: `${moved} was trained on the data in ${join(dir, "gone")}, which is gone; give the same data's directory with --data-dir` });
    assert.equal(loadSupernetCheckpoint(moved, { dataDir: EMBEDDED_FASHION_MNIST }).config.dataDir, EMBEDDED_FASHION_MNIST);

    const bare = join(dir, "bare.safetensors");
    await saveSafetensors(bare, new Map([...tensors].filter(([n]) => !n.startsWith("opt_"))), { kshot_supernet: JSON.stringify(meta) });
    assert.throws(() => loadSupernetCheckpoint(bare, { resume: true }), { message: `${bare}: no optimiser state (opt_supernet.*) after 1 epoch(s): a resumed run could not continue exactly; start a new run instead` });
    loadSupernetCheckpoint(bare); // evaluation needs none
    const fresh = join(dir, "fresh.safetensors");
    await saveSafetensors(fresh, new Map([...tensors].filter(([n]) => !n.startsWith("opt_"))), { kshot_supernet: JSON.stringify({ ...meta, epoch: 0, globalStep: 0 }) });
    loadSupernetCheckpoint(fresh, { resume: true }); // nothing trained yet: nothing to lose

    const otherK = join(dir, "otherK.safetensors");
    await saveSafetensors(otherK, tensors, { kshot_supernet: JSON.stringify({ ...meta, config: { ...meta.config, K: 3 } }) });
    assert.throws(() => loadSupernetCheckpoint(otherK), (e: Error) => e.message.startsWith(`${otherK}: its tensors do not fit the run its metadata describes (space nb201, K=3, C=2, N=1, hidden 4): `));
  });

  it("a diverged epoch names what the checkpoint still holds", async () => {
    const path = join(dir, "diverge.safetensors");
    await assert.rejects(continueSupernetTraining(buildSupernetSession({ ...config, lr: 1e30 }), path),
      { message: /^training diverged: loss \S+ at epoch 1, step \d+ \(a lower learning rate may help\); \S+diverge\.safetensors was not written by this run$/ });
    const s = buildSupernetSession({ ...config, epochs: 2 });
    // the rate spoilt once epoch 1 is written: epoch 2 diverges, and the checkpoint keeps epoch 1
    await assert.rejects(continueSupernetTraining(s, path, undefined, () => { (s.trainer.options as { lr: number }).lr = 1e30; }),
      { message: /^training diverged: loss \S+ at epoch 2, step \d+ .*; \S+diverge\.safetensors keeps epoch 1, the last good one$/ });
    assert.equal(loadSupernetCheckpoint(path).trainer.epoch, 1);
  });
});
