// The queue's decisions on hand cases, without Redis: the jobs a worker
// refuses, the coordinator's line on its workers, and when it gives up.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Nb201Space } from "../../nas/nb201/space.js";
import { describeWorkers, giveUpReason, invalidGenes, runRefusal } from "../../workers/queue/decisions.js";
import { KSHOT_VERSION, workerName, type QueueRun } from "../../workers/queue/protocol.js";

const run: QueueRun = {
  runId: "r1", version: KSHOT_VERSION, batchSize: 250, kernels: "simd",
  weights: { ref: "/w", sha256: "ab".repeat(32), bytes: 1 }, validation: { ref: "/v", sha256: "cd".repeat(32), bytes: 1 },
};

describe("a worker's refusals", () => {
  it("takes jobs of its own version and kernel set, and names what differs otherwise", () => {
    assert.equal(runRefusal(run, "A", "w1", "simd"), null);
    assert.equal(runRefusal({ ...run, version: "0.0.1" }, "A", "w1", "simd"),
      `A: worker w1 runs kshot ${KSHOT_VERSION} and refuses jobs from kshot 0.0.1: run the same version on the coordinator and every worker`);
    assert.equal(runRefusal(run, "A", "w1", "fma"),
      "A: worker w1 has the fma CPU kernels and refuses jobs scored with the simd ones (they round differently): start it with KSHOT_KERNELS=simd");
    assert.equal(runRefusal({ ...run, kernels: "fma" }, "A", "w1", "simd"),
      "A: worker w1 has the simd CPU kernels and refuses jobs scored with the fma ones (they round differently): start it with KSHOT_KERNELS=fma where the CPU has FMA");
  });

  it("refuses genes that are not an architecture of the space: count, range, integers", () => {
    const space = new Nb201Space({ C: 4, N: 1, inChannels: 1, classes: 10, height: 28, width: 28 });
    assert.equal(invalidGenes(space, [0, 1, 2, 3, 4, 0]), null);
    assert.equal(invalidGenes(space, [0, 1, 2]), "expected 6 genes, received 3");
    assert.equal(invalidGenes(space, "012340" as unknown as number[]), "expected 6 genes, received string");
    assert.equal(invalidGenes(space, [0, 1, 2, 3, 5, 0]), "gene 4 is 5, expected 0..4"); // one past the range
    assert.equal(invalidGenes(space, [0, -1, 2, 3, 4, 0]), "gene 1 is -1, expected 0..4");
    assert.equal(invalidGenes(space, [0, 1, 2.5, 3, 4, 0]), "gene 2 is 2.5, expected 0..4");
  });
});

describe("the coordinator's view of its workers", () => {
  it("counts workers, hosts and threads, and names the ones of another version", () => {
    assert.equal(describeWorkers([]), null);
    assert.equal(describeWorkers(["bull-worker-7"]), null, "names that are not kshot workers are not counted");
    const own = [workerName("a", 1, 4), workerName("a", 2, 2), workerName("b", 3, 8)];
    assert.equal(describeWorkers(own), "3 worker(s) on 2 host(s), 14 thread(s)");
    assert.equal(describeWorkers([...own, "kshot@9.9.9/c/4/1t", "kshot@9.9.8/c/5/1t", "kshot@9.9.9/d/6/2t"]),
      "6 worker(s) on 4 host(s), 18 thread(s); 3 run another kshot (9.9.9, 9.9.8) and refuse this run's jobs");
  });

  const o = { redis: "redis://h:6379", queue: "q", redisTimeoutSeconds: 60, workerTimeoutSeconds: 300 };
  it("gives up after Redis has been lost longer than its limit, not at the limit", () => {
    const lost = { lostSince: 1000, idleSince: null, inFlight: 3 };
    assert.equal(giveUpReason(lost, 61_000, o), null);
    assert.equal(giveUpReason(lost, 61_001, o),
      "lost Redis at redis://h:6379 for 60 s (--redis-timeout 60); the finished evaluations are kept there: rerun the same command once it is back to reuse them");
    assert.equal(giveUpReason({ lostSince: null, idleSince: null, inFlight: 3 }, 1e9, o), null);
  });
  it("gives up after jobs have waited longer than its limit with no worker, only with jobs in flight", () => {
    const idle = { lostSince: null, idleSince: 0, inFlight: 1 };
    assert.equal(giveUpReason(idle, 300_000, o), null);
    assert.equal(giveUpReason(idle, 300_600, o),
      "no worker has listened on queue 'q' at redis://h:6379 for 301 s (--worker-timeout 300); start one with: kshot worker --redis redis://h:6379 --queue q");
    assert.equal(giveUpReason({ ...idle, inFlight: 0 }, 1e9, o), null, "nothing waits: no reason to give up");
    // counted from when the queue fell idle, not from time 0
    const later = { lostSince: null, idleSince: 50_000, inFlight: 1 };
    assert.equal(giveUpReason(later, 350_000, o), null);
    assert.match(giveUpReason(later, 351_000, o)!, / for 301 s /);
    // both: the lost connection is the reason given
    assert.match(giveUpReason({ lostSince: 0, idleSince: 0, inFlight: 1 }, 1e9, o)!, /^lost Redis/);
  });
});
