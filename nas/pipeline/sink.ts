/** Where a pipeline reports progress: the CLI's Progress, or whatever a library user passes (no-op functions for quiet). */
export interface ProgressSink {
  /** A line that stays. */
  log(line: string): void;
  /** A line that the next update replaces (on a terminal); `final` keeps it. */
  update(line: string, final?: boolean): void;
}
