// The public API of @bert-neuron/bert-rewrite.

export type { BertConfig, GeluForm } from './bert-config.js';
export type {
  BertLayerWeights,
  BertWeights,
  DenseWeights,
  LayerNormWeights,
  PretrainingWeights,
} from './bert-weights.js';
export { MASK_BIAS_VALUE } from './build/build-mask-bias.js';
// Model path: rebuild.
export { buildNeuronBert } from './build/build-neuron-bert.js';
export {
  HEAD_OUTPUT_ROLES,
  MAX_NEURON_BERT_OPSET,
  MIN_NEURON_BERT_OPSET,
  type NeuronBertIdsDtype,
  type NeuronBertInput,
  type NeuronBertMaskDtype,
  type NeuronBertOptions,
  type NeuronBertOutput,
  type NeuronBertOutputRole,
  type ResolvedNeuronBertOptions,
  resolveNeuronBertOptions,
} from './build/neuron-bert-options.js';
export { BUILDER_RULE } from './build/node-emitter.js';
export type { AttentionMatch, MaskForm } from './detect/attention-match.js';
export type { BertDetection, EncoderDetection } from './detect/bert-detection.js';
export type {
  BertInputBinding,
  BertInputRole,
  BertInterface,
  BertOutputBinding,
  BertOutputRole,
} from './detect/bert-interface.js';
export type { DenseMatch } from './detect/dense-match.js';
// Detection and extraction.
export { detectBert, detectEncoder } from './detect/detect-bert.js';
export type { EmbeddingLookup, EmbeddingsMatch, EmbeddingTableMatch } from './detect/embeddings-match.js';
export type { EncoderLayerMatch, ResidualMatch } from './detect/encoder-layer-match.js';
export type { GeluMatch } from './detect/gelu-match.js';
export type { HeadMatch, HeadOutput, PoolerMatch, PretrainingMatch } from './detect/head-match.js';
export type { LayerNormForm, LayerNormMatch } from './detect/layer-norm-match.js';
export type { MaskMatch } from './detect/mask-match.js';
export type { NodeRegion } from './detect/node-regions.js';
export type { WeightRef } from './detect/weight-ref.js';
// Contracts shared by both paths.
export { BertRewriteError, type BertRewriteErrorCode } from './errors.js';
export {
  type ExtractBertOptions,
  type ExtractedBert,
  extractBert,
  UNDERFLOWED_EPS,
} from './extract/extract-bert.js';
export type { BertHeadKind } from './head.js';
export type { NoModelRewriteOptions, RegionSource } from './no-model/no-model-options.js';

// No-model path: rewrite in place.
export {
  type NoModelRewriteReport,
  noModelRewrite,
  type RegionTagging,
  type RuleOutcome,
} from './no-model/no-model-rewrite.js';
export { noModelRules } from './no-model/no-model-rules.js';
// Placement and partitioning.
export { assignPlacement, type PlacementResult } from './placement/assign-placement.js';
export {
  type BoundaryTensor,
  PARTITION_METADATA_KEY,
  type PartitionedModel,
  partition,
} from './placement/partition.js';
// Precision policies.
export {
  type ApplyPrecisionOptions,
  applyPrecision,
  type Int8Stats,
  type PrecisionStats,
} from './precision/apply-precision.js';
export { clampToFloat16Range, convertFloatTensor } from './precision/convert-tensor.js';
export {
  type FloatPrecision,
  INT8_REGIONS,
  isPrecisionPolicy,
  nodeFloatPrecision,
  PRECISION_POLICIES,
  type PrecisionPolicy,
} from './precision/precision-policy.js';
export {
  BERT_REGIONS,
  type BertRegion,
  layerOf,
  META,
  type Placement,
  placementOf,
  placementOfRegion,
  regionOf,
  tagNode,
} from './regions.js';
// Report.
export { type BertFlops, type BertFlopsOptions, bertFlops } from './report/bert-flops.js';
export {
  type CountFlopsOptions,
  countFlops,
  type FlopCount,
  isProductNode,
  productFlopsOf,
} from './report/count-flops.js';
export { countParameters, type ParameterCounts, type ParameterTally } from './report/count-parameters.js';
export { countNodesByPrecision, type NodePrecision, nodePrecision } from './report/node-precision.js';
export { type PartitionSideSize, type PartitionSizes, partitionSizes } from './report/partition-sizes.js';
export type { RewritePath, RewriteReport } from './report/rewrite-report.js';
// The whole rewrite.
export { type RewriteBertOptions, type RewriteBertResult, rewriteBert } from './rewrite-bert.js';
export { cancelCastPairRule } from './rules/cancel-cast-pair.js';
export { cancelTransposePairRule } from './rules/cancel-transpose-pair.js';
export { foldAttentionScaleRule } from './rules/fold-attention-scale.js';
export { fuseGeluErfRule } from './rules/fuse-gelu-erf.js';
export { fuseGeluTanhRule } from './rules/fuse-gelu-tanh.js';
export { fuseLayerNormRule } from './rules/fuse-layer-norm.js';
export { fuseLayerNormTfRule } from './rules/fuse-layer-norm-tf.js';
export type { GeluTarget } from './rules/gelu-node.js';
export { mergeReshapePairRule } from './rules/merge-reshape-pair.js';
export { removeDropoutRule } from './rules/remove-dropout.js';
export { removeNoopCastRule } from './rules/remove-noop-cast.js';
export { removeNoopReshapeRule } from './rules/remove-noop-reshape.js';
export { sharedMaskBiasRule } from './rules/shared-mask-bias.js';
