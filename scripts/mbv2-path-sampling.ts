// How fast the MobileNetV2 mini supernet (one-shot, K=1) trains under each way
// of drawing paths; the measurement behind docs/mbv2-mini.md's "The supernet
// learns slowly". Prints the mean training loss per epoch.
//   npx tsx scripts/mbv2-path-sampling.ts PATHS LR EPOCHS
// PATHS: fixed:OP (every layer OP) | uniform (13 choices per layer) |
// k3 (k3e3 or k3e6 per layer) | interior (stage-first layers fixed to k3e6)
import { Rng, tensor, tidy } from "../engine/index.js";
import { crossEntropy } from "../autograd/index.js";
import { SGD } from "../autograd/optim/sgd.js";
import { Mbv2Space } from "../nas/mbv2/space.js";
import { Mbv2Supernet } from "../nas/supernet/mbv2_supernet.js";
import { kshotWeights } from "../nas/supernet/nb201_supernet.js";
import { sampleGenes } from "../nas/space.js";
import { DATA_RECIPES, EMBEDDED_FASHION_MNIST, loadDataset } from "../train/datasets.js";
import { batches } from "../data/batches.js";
import { head } from "../data/dataset.js";

const [paths = "uniform", lrArg = "0.05", epochsArg = "3"] = process.argv.slice(2);
const data = head(loadDataset("fashion-mnist", EMBEDDED_FASHION_MNIST).train, 1600);
const space = new Mbv2Space({ inChannels: 1, height: 28, width: 28, classes: 10, searchWidth: false });
const STAGE_FIRST = [0, 4, 8, 12, 16, 20];
const rng = new Rng(0);
const draw = (): number[] => {
  if (paths.startsWith("fixed:")) return space.parse(new Array(21).fill(paths.slice(6)).join(","));
  const g = sampleGenes(space, rng);
  if (paths === "k3") return g.map((v) => v % 2);
  if (paths === "interior") return g.map((v, i) => (STAGE_FIRST.includes(i) ? 1 : v));
  if (paths === "uniform") return g;
  throw new Error(`unknown PATHS '${paths}'`);
};
const net = new Mbv2Supernet(space, kshotWeights(1), rng);
const opt = new SGD(net.parameters(), { lr: Number(lrArg), momentum: 0.9, nesterov: true, weightDecay: 5e-4 });
const lambda = tensor([1]);
for (let epoch = 1; epoch <= Number(epochsArg); epoch++) {
  let sum = 0, n = 0;
  for (const { x, y } of batches(data, { batchSize: 32, rng, ...DATA_RECIPES["fashion-mnist"] })) {
    const l = tidy(() => {
      const loss = crossEntropy(net.forwardPath(x, draw(), lambda), y);
      loss.backward();
      opt.step();
      opt.zeroGrad();
      return loss;
    });
    sum += l.dataSync()[0]!;
    n++;
    for (const t of [l, x, y]) t.dispose();
  }
  console.log(`${paths} lr ${lrArg} epoch ${epoch}: mean loss ${(sum / n).toFixed(4)}`);
}
