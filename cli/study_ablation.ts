import { availableParallelism } from "node:os";
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { kernelSet } from "../engine/index.js";
import { TABLE5_ROWS, ablationTable, runAblation, type AblationProtocol } from "../app/ablation.js";
import { DEFAULT_SUPERNET_OPTIONS } from "../nas/supernet/trainer.js";
import { UsageError, helpText, num, parseFlags, seedNum, type FlagSpecs } from "./args.js";
import { Progress } from "./progress.js";
import { widthCodeFigure } from "../report/ablation_report.js";
import { ablationVerdictText } from "../app/ablation_verdict.js";

export const ablationFlags: FlagSpecs = {
  K: { type: "string", help: "weight copies of the K-shot rows", default: "4" },
  epochs: { type: "string", help: "supernet epochs of every row (the first is warm-up)", default: "20" },
  "train-limit": { type: "string", help: "supernet training images (before the held-out split)", default: "10000" },
  "val-size": { type: "string", help: "of which held out to score paths", default: "1000" },
  "batch-size": { type: "string", help: "supernet images per step", default: "64" },
  lr: { type: "string", help: "supernet learning rate", default: String(DEFAULT_SUPERNET_OPTIONS.lr) },
  population: { type: "string", help: "NSGA-II population", default: "20" },
  evaluations: { type: "string", help: "architectures each search evaluates", default: "200" },
  "max-mflops": { type: "string", help: "the FLOPs bound of every row (the paper's 420 MFLOPs sits at the same share of random networks)", default: "7" },
  "retrain-epochs": { type: "string", help: "epochs of each stand-alone training (the paper's recipe scaled to them)", default: "10" },
  "retrain-images": { type: "string", help: "training images of each stand-alone training", default: "10000" },
  "retrain-seeds": { type: "string", help: "trainings of each pick and random network (seeds --seed, --seed + 1, ..)", default: "3" },
  "random-networks": { type: "string", help: "random networks under the bound, the floor (half at full width, half with random widths)", default: "4" },
  "data-dir": { type: "string", help: "Fashion-MNIST's directory (default: the embedded subset)" },
  seed: { type: "string", help: "seed of everything random", default: "0" },
  workers: { type: "string", help: "search and retraining workers, one CPU thread each", default: String(availableParallelism()) },
  out: { type: "string", help: "the ablation's directory: ablation.json, table.md, width_codes.svg, a main-job run directory per row; an existing one is resumed", default: "runs/ablation" },
  json: { type: "boolean", help: "print ablation.json's results on the last line" },
};

/** `kshot study ablation`: the paper's Table 5 in miniature on the MobileNetV2 space. */
export async function studyAblation(argv: string[]): Promise<void> {
  const cmd = "kshot study ablation";
  const f = parseFlags(cmd, argv, ablationFlags);
  if (f.help) {
    process.stdout.write(helpText(`usage: ${cmd} [options]`,
      "The paper's Table 5 in miniature (MobileNetV2 space, mini macro): for each row (one-shot; one-shot with widths;\nK-shot with lambda = 1/K; K-shot with the simplex-net; with widths, without and with r_c) a supernet, a search under\nthe bound and the pick retrained over several seeds, then random networks under the bound as the floor. Resumes.", ablationFlags));
    return;
  }
  const int = (name: string, min: number) => num(cmd, name, f[name], { integer: true, min });
  const p: AblationProtocol = {
    seed: seedNum(cmd, f.seed), K: int("K", 2), epochs: int("epochs", 1), trainLimit: int("train-limit", 2), valSize: int("val-size", 1),
    batchSize: int("batch-size", 1), lr: num(cmd, "lr", f.lr, { min: 0 }), populationSize: int("population", 2), evaluations: int("evaluations", 1),
    maxMflops: num(cmd, "max-mflops", f["max-mflops"], { min: 0 }), retrainEpochs: int("retrain-epochs", 1), retrainImages: int("retrain-images", 1),
    retrainSeeds: int("retrain-seeds", 1), randomNetworks: int("random-networks", 1),
    ...(f["data-dir"] === undefined ? {} : { dataDir: resolve(String(f["data-dir"])) }),
    kernels: kernelSet(), rows: TABLE5_ROWS,
  };
  if (p.valSize >= p.trainLimit) throw new UsageError(`${cmd}: --val-size ${p.valSize} leaves no training images of --train-limit ${p.trainLimit}`);
  const out = String(f.out);
  const progress = new Progress();
  progress.log(`${cmd}: ${p.rows.length} rows, each a supernet of ${p.epochs} epochs on ${p.trainLimit - p.valSize} images, ${p.evaluations} evaluations ` +
    `within ${p.maxMflops} MFLOPs, the pick retrained ${p.retrainSeeds} times; then ${p.randomNetworks} random networks; into ${out}`);
  const r = await runAblation(p, out, int("workers", 1), progress);
  const table = ablationTable(r) + ablationVerdictText(r);
  writeFileSync(join(out, "table.md"), table);
  const figure = widthCodeFigure(r.rows);
  if (figure !== null) writeFileSync(join(out, "width_codes.svg"), `${figure}\n`);
  process.stdout.write(table);
  if (f.json) process.stdout.write(`${JSON.stringify({ rows: r.rows, floor: r.floor })}\n`);
}
