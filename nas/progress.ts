/** Where a pipeline reports progress: the CLI's Progress, or whatever a library user passes (no-op functions for quiet). */
export interface ProgressSink {
  /** A line that stays. */
  log(line: string): void;
  /** A line that the next update replaces (on a terminal); `final` keeps it. */
  update(line: string, final?: boolean): void;
}

/** A duration as a progress line gives it: seconds under 90 s, else minutes. */
export function formatMinutes(seconds: number): string {
  return seconds < 90 ? `${Math.round(seconds)} s` : `${(seconds / 60).toFixed(1)} min`;
}
