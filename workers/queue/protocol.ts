import { readFileSync } from "node:fs";
import { packageFile } from "../../data/package_files.js";
import type { KernelSet } from "../../engine/index.js";

// What a coordinator and its queue workers agree on: the queue's name, the
// job's data and result, and the job id that makes a job's result reusable.

export const DEFAULT_QUEUE = "kshot-eval";

/** This kshot's version (package.json): a worker refuses jobs from another one. */
export const KSHOT_VERSION: string = (JSON.parse(readFileSync(packageFile("package.json"), "utf8")) as { version: string }).version;

/** A file a worker fetches by reference: an absolute path on a shared file system or an http(s) URL, and what it must hash to. */
export interface ArtifactRef { ref: string; sha256: string; bytes: number }

/** One search's evaluation setting, carried by each of its jobs. */
export interface QueueRun {
  runId: string;
  /** kshot version of the coordinator. */
  version: string;
  /** The supernet checkpoint (kshot supernet train, or the main job's). */
  weights: ArtifactRef;
  /** The held-out images paths are scored on (data/dataset_file.ts). */
  validation: ArtifactRef;
  /** Images per forward pass; scores depend on it. */
  batchSize: number;
  /** The coordinator's CPU kernel set: a worker evaluates with the same one or refuses, so that any worker gives the same front. */
  kernels: KernelSet;
}

export interface EvalJobData { run: QueueRun; genes: number[]; arch: string }

export interface EvalJobResult {
  acc: number; lambda: number[]; params: number; macs: number; mflops: number;
  /** The worker that evaluated it (its name on the queue). */
  worker: string;
}

/**
 * Run id + weights hash + validation hash + architecture: one job per path
 * and setting, so a repeated request (a restarted coordinator, a second
 * search of the same checkpoint under the same run id) finds the finished
 * job instead of queueing another. Genes, not the architecture's display
 * string, keep the id free of the ':' that Redis keys use.
 */
export function evalJobId(run: QueueRun, genes: readonly number[]): string {
  return `${run.runId}.${run.weights.sha256.slice(0, 16)}.${run.validation.sha256.slice(0, 8)}.b${run.batchSize}.${run.kernels}.${genes.join("-")}`;
}

/** A worker's name on the queue: version, host, process and threads, readable by the coordinator's progress. */
export function workerName(host: string, pid: number, threads: number): string {
  return `kshot@${KSHOT_VERSION}/${host}/${pid}/${threads}t`;
}

export function parseWorkerName(name: string): { version: string; host: string; pid: number; threads: number } | null {
  const m = /^kshot@([^/]+)\/([^/]+)\/(\d+)\/(\d+)t$/.exec(name);
  return m === null ? null : { version: m[1]!, host: m[2]!, pid: Number(m[3]), threads: Number(m[4]) };
}

/** A run id stays a plain token inside job ids and Redis keys. */
export const RUN_ID = /^[A-Za-z0-9_-]{1,64}$/;

export function checkRunId(id: string): string {
  if (!RUN_ID.test(id)) throw new Error(`run id '${id}': expected 1-64 letters, digits, '-' or '_'`);
  return id;
}

/** A Redis URL as it may be printed or stored: its password replaced. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password === "") return url;
    u.password = "***";
    return u.toString();
  } catch {
    return url;
  }
}
