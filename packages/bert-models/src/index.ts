export {
  attentionHeadSize,
  BERT_PRESET_NAMES,
  BERT_PRESETS,
  type BertConfig,
  type BertPresetName,
  bertPreset,
  isBertPresetName,
  validateBertConfig,
} from './config.js';
export { BertModelsError, type BertModelsErrorCode, isBertModelsError } from './errors.js';
export { BERT_FLAVORS, type BertFlavor, isBertFlavor } from './flavor.js';
export { TORCH_FLOAT32_MIN } from './flavors/hf-torch.js';
export { TF_MASK_VALUE } from './flavors/tf-google.js';
export { GELU_FORMS, type GeluForm, isGeluForm } from './gelu.js';
export {
  DEFAULT_NUM_LABELS,
  DEFAULT_SEQUENCE_LENGTH,
  type GenerateBertOptions,
  generateBert,
  generateWeightsFor,
  irVersionForOpset,
  MAX_OPSET,
  MIN_OPSET,
  type ResolvedBertOptions,
  resolveBertOptions,
} from './generate.js';
export { BERT_HEADS, type BertHead, headHasPooler, isBertHead } from './head.js';
export { fillNormal, streamSeed } from './normal-fill.js';
export { bertParameterCount, type ParameterCountOptions } from './parameter-count.js';
export { transposeMatrix } from './transpose-matrix.js';
export {
  type BertLayerWeights,
  type BertWeights,
  type BertWeightsOptions,
  DEFAULT_WEIGHT_INIT,
  type DenseWeights,
  generateBertWeights,
  type LayerNormWeights,
  validateSeed,
  type WeightInit,
} from './weights.js';
