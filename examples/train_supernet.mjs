// A K-shot supernet through kshot's public API, as a user of the package
// writes it: build a K=2 NAS-Bench-201 supernet on the embedded Fashion-MNIST
// subset, train it for a warm-up epoch and one epoch of Algorithm 2, then score
// three sampled cells on the held-out split with their simplex-net codes.
//
//   node examples/train_supernet.mjs [checkpoint path]
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  DEFAULT_SUPERNET_OPTIONS, EMBEDDED_FASHION_MNIST, Rng, buildSupernetSession, continueSupernetTraining,
  disposeSupernetSession, evaluatePath, pathCode, sampleFunctions, setKernelThreads, tidy,
} from "kshot";

setKernelThreads(1);
const session = buildSupernetSession({
  ...DEFAULT_SUPERNET_OPTIONS,
  space: "nb201", mode: "kshot", K: 2, C: 4, N: 1, hidden: 16,
  dataset: "fashion-mnist", dataDir: EMBEDDED_FASHION_MNIST, trainLimit: 320, valSize: 64,
  epochs: 2, warmupEpochs: 1, batchSize: 32, simplexBatch: 32, seed: 0,
});
const checkpoint = process.argv[2] ?? join(tmpdir(), `kshot-example-${process.pid}.safetensors`);
const epochs = await continueSupernetTraining(session, checkpoint, undefined,
  (r) => console.log(`epoch ${r.epoch}: supernet loss ${r.supernetLoss.toFixed(4)}`));

for (const genes of sampleFunctions(session.space, 3, new Rng(1))) {
  const acc = tidy(() => {
    const lambda = pathCode(session.config.mode, session.space, session.simplex, genes, false);
    return evaluatePath(session.supernet, genes, lambda, session.val, session.recipe, 64);
  });
  console.log(`${session.space.format(genes)}: held-out accuracy ${acc.toFixed(4)}`);
}
disposeSupernetSession(session);
console.log(`trained ${epochs.length} epochs; checkpoint ${checkpoint}`);
