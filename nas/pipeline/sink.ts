/** Where a pipeline reports progress: the CLI's Progress, or nothing for a library user who wants quiet. */
export interface ProgressSink {
  /** A line that stays. */
  log(line: string): void;
  /** A line that the next update replaces (on a terminal); `final` keeps it. */
  update(line: string, final?: boolean): void;
}

export const silentSink: ProgressSink = { log: () => {}, update: () => {} };
