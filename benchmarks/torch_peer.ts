// The PyTorch peer of `npm run bench:train` (peers/torch_train.py) as a
// child process that runs one training step per request, so that its steps
// take turns with kshot's in the same run: this machine's speed drifts by a
// fifth within minutes, and a ratio of two steps timed side by side carries
// none of that drift.
import { spawn, spawnSync, type ChildProcessByStdio } from "node:child_process";
import type { Readable, Writable } from "node:stream";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

/**
 * glibc malloc settings for the PyTorch peer: keep freed memory instead of
 * returning it to the system. By default PyTorch's CPU allocator gets each
 * large tensor from mmap and gives it back at free, so every step pays page
 * faults again; in this machine's VM those made its recipe step take 49-158
 * ms (2 threads, from step to step) against a steady 38-47 ms with these
 * settings (2^25 is the largest mmap threshold glibc accepts). kshot keeps
 * its heap, so the peer is measured at its best too.
 */
const TORCH_MALLOC = { MALLOC_MMAP_THRESHOLD_: String(2 ** 25), MALLOC_TRIM_THRESHOLD_: String(2 ** 32), MALLOC_TOP_PAD_: String(2 ** 28) };

/** Seconds the peer may take to build its networks or to run one step before the benchmark gives up on it (start's default). */
const ANSWER_LIMIT_S = 300;

/** The command that runs the PyTorch peer (peers/torch_train.py), or why there is none here. */
export function torchPeerCommand(): string[] | string {
  const python = ["python3", "/usr/bin/python3"].find((p) => spawnSync(p, ["-c", "import torch"], { stdio: "ignore" }).status === 0);
  if (python === undefined) return "no python3 with torch here: PyTorch columns skipped";
  return [python, fileURLToPath(new URL("./peers/torch_train.py", import.meta.url))];
}

export class TorchPeer {
  private constructor(private readonly child: ChildProcessByStdio<Writable, Readable, null>, private readonly lines: AsyncIterator<string>,
    private readonly answerLimitS: number) {}

  /**
   * The peer run by `command` with `cases` (torch_train.py's names) built,
   * on `threads` threads, or why it did not start.
   */
  /** The peer process's id, which names its main thread (core_pin.ts). */
  get pid(): number {
    return this.child.pid!;
  }

  static async start(command: readonly string[], cases: readonly string[], threads: number, answerLimitS = ANSWER_LIMIT_S): Promise<TorchPeer | string> {
    const child = spawn(command[0]!, [...command.slice(1), "--cases", cases.join(","), "--threads", String(threads)],
      { stdio: ["pipe", "pipe", "inherit"], env: { ...process.env, ...TORCH_MALLOC } });
    const peer = new TorchPeer(child, createInterface({ input: child.stdout })[Symbol.asyncIterator](), answerLimitS);
    try {
      const first = await peer.answer();
      if (first.ready === true) return peer;
      peer.stop();
      return `the PyTorch peer did not start: it printed ${JSON.stringify(first)}`;
    } catch (e) {
      peer.stop();
      return `the PyTorch peer did not start: ${(e as Error).message}`;
    }
  }

  /** Milliseconds of one training step of `name`. */
  async step(name: string): Promise<number> {
    this.child.stdin.write(`${name}\n`);
    const { ms } = await this.answer();
    if (typeof ms !== "number") throw new Error(`the PyTorch peer answered a step of ${name} without its time`);
    return ms;
  }

  stop(): void {
    this.child.stdin.destroy();
    this.child.kill();
  }

  /** The peer's next line, parsed; an error if it exits, prints something else, or says nothing for answerLimitS seconds. */
  private async answer(): Promise<{ ready?: boolean; ms?: number }> {
    let timer: NodeJS.Timeout | undefined;
    const silence = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the PyTorch peer said nothing for ${this.answerLimitS} s`)), this.answerLimitS * 1000);
    });
    try {
      const next = await Promise.race([this.lines.next(), silence]);
      if (next.done) {
        // its output can close before the exit is reported
        if (this.child.exitCode === null && this.child.signalCode === null) await once(this.child, "exit");
        throw new Error(`the PyTorch peer exited (${this.child.exitCode === null ? `signal ${this.child.signalCode}` : `code ${this.child.exitCode}`})`);
      }
      try {
        return JSON.parse(next.value) as { ready?: boolean; ms?: number };
      } catch {
        throw new Error(`the PyTorch peer printed '${next.value.slice(0, 200)}', not a JSON line`);
      }
    } finally {
      clearTimeout(timer);
    }
  }
}
