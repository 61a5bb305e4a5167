// The public API of @bert-neuron/neuron-compile.

// The pipeline.
export { discardOpenStagingDirs } from './artifact/staging-dir.js';
export { type CompileResult, compile, REPORT_FILE } from './compile.js';
export {
  type CompileOptions,
  DEFAULT_VERIFY_SAMPLES,
  type ResolvedCompileOptions,
  resolveCompileOptions,
} from './compile-options.js';
export { COMPILER_NAME, compilerVersion } from './compiler-info.js';
export { isNeuronCompileError, NeuronCompileError, type NeuronCompileErrorCode } from './errors.js';
// Device fusions.
export {
  type DeviceFusionOptions,
  type DeviceFusionReport,
  deviceFusionRules,
  fuseDevice,
} from './fuse/device-fusions.js';
export { FLOAT32_LAYER_NORM, float32LayerNormRule } from './fuse/float32-layer-norm.js';
export { ATTENTION_FORM, FUSE_ATTENTION, fuseAttentionRule } from './fuse/fuse-attention.js';
export { FUSE_BIAS_GELU, fuseBiasGeluRule } from './fuse/fuse-bias-gelu.js';
export { FUSE_QUICK_GELU, fuseQuickGeluRule } from './fuse/fuse-quick-gelu.js';
export { FUSE_SKIP_LAYER_NORM, fuseSkipLayerNormRule } from './fuse/fuse-skip-layer-norm.js';
export {
  PRUNE_TO_FIRST_TOKEN,
  type PruneToFirstTokenResult,
  pruneToFirstToken,
} from './fuse/prune-to-first-token.js';
// Stages, for tools and benchmarks.
export { copyModel } from './pipeline/copy-model.js';
export {
  type HostPartition,
  type PreparedPartitions,
  type PreparePartitionsOptions,
  preparePartitions,
  specializeToBucket,
} from './pipeline/prepare-partitions.js';
export {
  type RewriteStageOptions,
  type RewrittenBert,
  rewriteStage,
  SEQUENCE_SYMBOL,
} from './pipeline/rewrite-stage.js';
export type { StageTiming } from './pipeline/stage-timer.js';
export { STATIC_RESHAPE_TARGETS, staticReshapeTargetsRule } from './pipeline/static-reshape-targets.js';
// Report.
export type { BucketFlops, CompileReport, PartitionSummary } from './report/compile-report.js';
export { formatSummary } from './report/summary-table.js';
// Verification.
export type { Comparison, ErrorFigures } from './verify/compare-rows.js';
export type { FeedSpec } from './verify/input-feeds.js';
export {
  exceeded,
  type Tolerance,
  type VerificationTolerance,
  verificationTolerance,
} from './verify/tolerance.js';
export {
  type BucketVerification,
  type ComparisonFigures,
  type VerificationResult,
  type VerifyArtifactOptions,
  type VerifySource,
  verifyArtifact,
} from './verify/verify-artifact.js';
