// bench:train's idle reference beside busy processes (--busy N): the
// one-thread step with the busy processes paused, timed in the same turns.
// Cores of one VM differ in speed (core_pin.ts: one ran vector code up to
// 1.5x slower than the other, and which one changed within the hour), and a
// thread beside busy processes gets a share of each core; so on a few cores
// each gets an idle lane of its own, pinned, and the reference is their mean.

/** The most cores that get an idle lane each: beyond, a turn would be mostly idle lanes. */
export const MAX_PINNED_IDLE_LANES = 4;

/**
 * The idle lanes' numbers, 0 and below so that they follow the thread
 * counts' lanes: none without busy processes; lane -1 - c pinned to core c
 * for every core where there are few and `canPin`; else one unpinned lane, 0.
 */
export function idleLanes(busy: number, cores: number, canPin: boolean): number[] {
  if (busy === 0) return [];
  return cores > 1 && cores <= MAX_PINNED_IDLE_LANES && canPin ? Array.from({ length: cores }, (_, c) => -1 - c) : [0];
}

/** Whether a lane is an idle one. */
export function isIdle(lane: number): boolean {
  return lane <= 0;
}

/** The core an idle lane is pinned to, if any. */
export function idleCore(lane: number): number | undefined {
  return lane < 0 ? -1 - lane : undefined;
}

/** Each turn's idle step: the mean over the idle lanes' times of that turn (`times` by lane); undefined without idle lanes. */
export function idleReference(times: readonly (readonly number[])[]): number[] | undefined {
  if (times.length === 0) return undefined;
  return times[0]!.map((_, turn) => times.reduce((sum, lane) => sum + lane[turn]!, 0) / times.length);
}
