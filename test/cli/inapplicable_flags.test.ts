import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import { KSHOT } from "../helpers/cli.js";

// Every command, each flag given where it cannot apply (a combination that
// contradicts itself, or a flag another mode owns): a usage error, exit 2,
// one line naming the flag(s), and no work done (none of the paths exists,
// so a command that went on would fail otherwise).

const CASES: [string[], RegExp][] = [
  // search: --oracle and --supernet own different flags
  [["search", "--supernet", "c.safetensors", "--oracle", "t.csv"], /--supernet and --oracle are two kinds of search/],
  ...["--out d", "--workers 2", "--generations 3", "--executor bullmq", "--redis redis://h:1", "--force", "--max-params 5", "--data-dir d",
    "--worker-timeout 5", "--queue q"].map((flag): [string[], RegExp] =>
    [["search", "--oracle", "t.csv", ...flag.split(" ")], new RegExp(`${flag.split(" ")[0]} does not apply with --oracle`)]),
  [["search", "--supernet", "c.safetensors", "--column", "cifar100"], /--column does not apply with --supernet/],
  [["search", "--supernet", "c.safetensors", "--random"], /--random does not apply with --supernet/],
  [["search", "--supernet", "c.safetensors", "--redis", "redis://h:1"], /--redis needs --executor bullmq/],
  [["search", "--supernet", "c.safetensors", "--redis-timeout", "5"], /--redis-timeout needs --executor bullmq/],
  // run: queue flags without the queue, a split with no training images
  [["run", "--queue", "q"], /--queue needs --executor bullmq/],
  [["run", "--share-url", "http://h:1"], /--share-url needs --executor bullmq/],
  [["run", "--train-limit", "400", "--val-size", "400"], /--val-size 400 leaves no training images of --train-limit 400/],
  // run: widths without a width space, a NAS-Bench-201 truth beside the MobileNetV2 space, an unknown space
  [["run", "--search-width"], /--search-width does not apply with --space nb201/],
  [["run", "--space", "mbv2", "--truth", "t.csv"], /--truth does not apply with --space mbv2 \(the truth tables hold NAS-Bench-201 cells\)/],
  [["run", "--space", "darts"], /--space expects nb201 or mbv2, received 'darts'/],
  [["study", "ablation", "--train-limit", "100", "--val-size", "100"], /--val-size 100 leaves no training images of --train-limit 100/],
  // supernet train: widths without a width space, K with one-shot, settings beside --resume
  [["supernet", "train", "--space", "nb201", "--search-width"], /--search-width does not apply with --space nb201/],
  [["supernet", "train", "--mode", "oneshot", "--K", "4"], /--mode oneshot means --K 1/],
  [["supernet", "train", "--mode", "oneshot", "--K", "1", "--alternation", "even-odd"], /--alternation does not apply with --mode oneshot/],
  [["supernet", "train", "--resume", "c.safetensors", "--K", "2"], /--K cannot be given with --resume/],
  // worker: --threads means kernel threads elsewhere
  [["worker", "--redis", "redis://h:1", "--threads", "2"], /--threads counts kernel threads elsewhere.*--workers/],
  // describe: a reference model has no architecture, space or NAS-Bench-201 sizes
  [["describe", "--model", "mobilenetv2", "--arch", "x"], /--arch does not apply with --model/],
  [["describe", "--model", "mobilenetv2", "--C", "8"], /--C does not apply with --model/],
  [["describe", "--space", "mbv2", "--arch", "id", "--N", "2"], /--N does not apply with --space mbv2/],
  // train: Nesterov without momentum
  [["train", "--nesterov", "--momentum", "0"], /--nesterov needs --momentum > 0/],
  // study rank: a warm-up longer than training, a held-out split with nothing left
  [["study", "rank", "--epochs", "2", "--warmup-epochs", "3"], /--warmup-epochs 3 exceeds --epochs 2/],
  [["study", "rank", "--train-limit", "100", "--val-size", "100"], /--val-size 100 leaves no training images of --train-limit 100/],
  // study rank: a thread count for lanes that have one thread each; data that is not there
  [["study", "rank", "--workers", "2", "--threads", "2"], /--threads sizes the one run of --workers 1; with --workers 2 each run has one thread/],
  [["study", "rank", "--data-dir", "/no/such/dir"], /--data-dir \/no\/such\/dir: no such directory/],
  // report: one directory
  [["report", "a", "b"], /give exactly one run directory, received 2/],
  // an unknown command, an unknown flag
  [["serach"], /unknown command 'serach'/],
  [["run", "--epoch", "3"], /Unknown option '--epoch'/],
];

describe("inapplicable flags are usage errors (exit 2, one line)", () => {
  for (const [args, message] of CASES) {
    it(args.join(" "), () => {
      const r = spawnSync(process.execPath, [...KSHOT, ...args], { encoding: "utf8", timeout: 60_000 });
      assert.equal(r.status, 2, `exit ${r.status}; stderr: ${r.stderr}`);
      const lines = r.stderr.trim().split("\n");
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0]!, /^kshot/);
      assert.match(lines[0]!, message);
      assert.equal(r.stdout, "");
    });
  }
});
