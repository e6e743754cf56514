import { continueSupernetTraining, type SupernetSession } from "../nas/supernet/session.js";
import type { SupernetEpochReport } from "../nas/supernet/trainer.js";
import type { ProgressSink } from "../nas/progress.js";

/**
 * Trains a session's remaining epochs, a progress line per step and a line per
 * epoch, checkpointing to `checkpoint` after each (and calling `onEpoch` then).
 */
export function trainSupernet(session: SupernetSession, checkpoint: string, sink: ProgressSink,
  onEpoch?: (r: SupernetEpochReport) => void): Promise<SupernetEpochReport[]> {
  const epochs = session.config.epochs;
  return continueSupernetTraining(session, checkpoint,
    (r) => sink.update(`epoch ${r.epoch}/${epochs} step ${r.step}/${r.steps} ${r.kind} loss ${r.loss.toFixed(4)}`, r.step === r.steps),
    (r) => {
      onEpoch?.(r);
      sink.log(`epoch ${r.epoch}: supernet loss ${r.supernetLoss.toFixed(4)}${r.simplexLoss === null ? "" : `, simplex-net loss ${r.simplexLoss.toFixed(4)}`}, ${r.seconds.toFixed(1)} s; checkpoint ${checkpoint}`);
    });
}
