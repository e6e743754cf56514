/**
 * Runs `run` over `jobs` on `lanes` concurrent lanes, each taking the next
 * job in list order when its last one ends (so jobs start in order). After
 * a job fails no lane starts another; the first failure is thrown.
 */
export async function runLanes<J>(jobs: readonly J[], lanes: number, run: (job: J) => Promise<void>): Promise<void> {
  let next = 0, failed = false;
  const lane = async () => {
    try {
      while (!failed && next < jobs.length) await run(jobs[next++]!);
    } catch (e) {
      failed = true;
      throw e;
    }
  };
  await Promise.all(Array.from({ length: Math.min(lanes, jobs.length) }, lane));
}
