import { MessageChannel } from "node:worker_threads";
import { Piscina } from "piscina";
import type { ProgressSink } from "../nas/progress.js";
import type { StudyRunResult } from "../nas/study/statistics.js";
import type { LaneLine, StudyTask } from "./study_task.js";
import { taskFile } from "./task_file.js";

/**
 * A rank study's lanes: piscina workers that each train one study run at a
 * time on one kernel thread. Independent one-thread runs scale better on a
 * few cores than one run on all of them, and give the same bits.
 */
export class StudyPool {
  private readonly pool: Piscina;

  constructor(lanes: number) {
    if (!(Number.isInteger(lanes) && lanes >= 1)) throw new Error(`study lanes: expected lanes >= 1, received ${lanes}`);
    this.pool = new Piscina({
      filename: taskFile("study_task", import.meta.url),
      minThreads: lanes, maxThreads: lanes, idleTimeout: 60_000, concurrentTasksPerWorker: 1,
    });
  }

  /** Runs one study run on a free lane; its progress lines reach `sink` as they come. */
  async run(task: Omit<StudyTask, "progress">, sink: ProgressSink): Promise<StudyRunResult> {
    const { port1, port2 } = new MessageChannel();
    // a port keeps its order: the lane's "end" comes after every line it posted, so none is lost
    const drained = new Promise<void>((resolve) => port1.on("message", (m: LaneLine) => {
      if (m.kind === "log") sink.log(m.line);
      else if (m.kind === "update") sink.update(m.line, m.final);
      else resolve();
    }));
    let result: StudyRunResult;
    try {
      result = await (this.pool.run({ ...task, progress: port2 }, { transferList: [port2] }) as Promise<StudyRunResult>);
    } catch (e) {
      port1.close();
      throw e;
    }
    await drained;
    port1.close();
    return result;
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }
}
