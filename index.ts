/**
 * kshot's public API (`import { ... } from "kshot"`). The engine's full surface
 * is also at "kshot/engine", autograd at "kshot/autograd", the WebGPU backend
 * at "kshot/webgpu".
 */

// The tensor engine: tensors, memory, seeded randomness, the CPU kernel team.
export {
  Tensor, Rng, tidy, keep, memory, engine, setBackend, tensor, zeros, ones, full, randn, uniform, scalar,
  fromSharedView, fromNdarray, toNdarray, kernelThreads, setKernelThreads, loadSafetensors, saveSafetensors,
  type DType, type TypedArray,
} from "./engine/index.js";
// Autograd: differentiable ops, layers, optimisers.
export * as ag from "./autograd/index.js";

// Data and stand-alone training.
export { loadDataset, EMBEDDED_FASHION_MNIST, DATA_RECIPES, type DatasetName, type LoadedData } from "./train/datasets.js";
export { trainClassifier, evaluate, type TrainRecipe, type DataRecipe, type EpochReport } from "./train/fit.js";

// Search spaces and their exact costs.
export { sampleGenes, sampleFunctions, type SearchSpace, type Gene } from "./nas/space.js";
export { Nb201Space } from "./nas/nb201/space.js";
export { Mbv2Space, MBV2_OPS, MBV2_WIDTHS, type Mbv2SpaceConfig } from "./nas/mbv2/space.js";
export { trainStandalone, STANDALONE_RECIPE, type StandaloneResult } from "./nas/standalone.js";

// K-shot supernets: build, train (resumably), checkpoint, evaluate paths.
export {
  buildSupernetSession, continueSupernetTraining, disposeSupernetSession, saveSupernetCheckpoint, loadSupernetCheckpoint,
  type SupernetConfig, type SupernetSession,
} from "./nas/supernet/session.js";
export { DEFAULT_SUPERNET_OPTIONS, type SupernetOptions, type SupernetEpochReport } from "./nas/supernet/trainer.js";
export { SUPERNET_MODES, pathCode, type SupernetMode } from "./nas/supernet/path_code.js";
export { evaluatePath } from "./nas/supernet/evaluate.js";

// Search: NSGA-II over a supernet under hard bounds, the worker pool, ranking metrics.
export { supernetSearch, type SupernetSearchOptions, type SupernetSearchResult, type SearchedPath, type PathEvaluator } from "./nas/search/supernet_search.js";
export { nsga2, type Nsga2Options, type Nsga2Result } from "./nas/search/nsga2.js";
export { kendallTauA, kendallTauB, spearman, pearson, highGroupTau } from "./nas/search/ranking.js";
export { EvaluatorPool } from "./workers/pool.js";
export { openExecutor, type ExecutorSpec, type QueueSpec } from "./workers/executor.js";

// The pipeline (what `kshot run` does) and the rank study (`kshot study`).
export type { ProgressSink } from "./nas/progress.js";
export { runMainJob, type MainJobOptions, type MainJobSummary } from "./app/main_job.js";
export { searchSupernet } from "./app/search_stage.js";
export { trainSupernet } from "./app/supernet_stage.js";
export { runTruth } from "./app/truth.js";
export { runRankStudy } from "./app/rank_study.js";
export { readTruth, type TruthProtocol, type TruthRow } from "./nas/study/truth.js";
export type { RankStudyProtocol, StudyResult } from "./nas/study/statistics.js";
export { writeRunReport } from "./report/run_report.js";
export { writeStudyReport } from "./report/study_report.js";
