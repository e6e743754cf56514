import type { MessagePort } from "node:worker_threads";
import { setKernelThreads } from "../engine/index.js";
import type { ProgressSink } from "../nas/progress.js";
import type { RankStudyProtocol, StudyRun, StudyRunResult } from "../nas/study/statistics.js";
import { studyRun, type StudyTruth } from "../nas/study/run.js";

/** One run of a rank study: its protocol, run and seed, the truth, the study directory, and a port for its progress lines. */
export interface StudyTask {
  protocol: RankStudyProtocol; run: StudyRun; seed: number; truth: StudyTruth; dir: string; tag: string;
  progress: MessagePort;
}

/** A progress line from a lane (`final` as ProgressSink.update has it), or the end of its lines. */
export type LaneLine = { kind: "log"; line: string } | { kind: "update"; line: string; final?: boolean } | { kind: "end" };

/** Trains and scores one study run on this worker's one kernel thread, its progress posted to the port. */
export default async function run(task: StudyTask): Promise<StudyRunResult> {
  setKernelThreads(1); // the lanes are the thread budget: each run trains alone
  const sink: ProgressSink = {
    log: (line) => task.progress.postMessage({ line, kind: "log" } satisfies LaneLine),
    update: (line, final) => task.progress.postMessage({ line, kind: "update", final } satisfies LaneLine),
  };
  try {
    return await studyRun(task.protocol, task.run, task.seed, task.truth, task.dir, sink, task.tag);
  } finally {
    task.progress.postMessage({ kind: "end" } satisfies LaneLine);
    task.progress.close();
  }
}
