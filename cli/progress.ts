/**
 * Progress on stderr: one line rewritten in place on a terminal, plain lines
 * (at most one every few seconds, and every final one) otherwise, so logs
 * stay readable.
 */
export class Progress {
  private readonly tty = process.stderr.isTTY === true;
  private lastPlain = 0;

  update(line: string, final = false): void {
    if (this.tty) {
      process.stderr.write(`\r\x1b[2K${line}${final ? "\n" : ""}`);
    } else if (final || performance.now() - this.lastPlain > 5000) {
      this.lastPlain = performance.now();
      process.stderr.write(`${line}\n`);
    }
  }

  log(line: string): void {
    process.stderr.write(this.tty ? `\r\x1b[2K${line}\n` : `${line}\n`);
  }
}
