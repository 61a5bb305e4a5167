import { BertModelsError } from './errors.js';

/** The shape of a BERT encoder (the fields of a Hugging Face `BertConfig`, camel-cased). */
export interface BertConfig {
  readonly vocabSize: number;
  readonly hiddenSize: number;
  readonly numHiddenLayers: number;
  readonly numAttentionHeads: number;
  readonly intermediateSize: number;
  readonly maxPositionEmbeddings: number;
  readonly typeVocabSize: number;
  readonly layerNormEps: number;
}

export type BertPresetName = 'tiny' | 'mini' | 'small' | 'medium' | 'base' | 'large';

export const BERT_PRESET_NAMES: readonly BertPresetName[] = [
  'tiny',
  'mini',
  'small',
  'medium',
  'base',
  'large',
];

function preset(layers: number, hidden: number, heads: number): BertConfig {
  return Object.freeze({
    vocabSize: 30522,
    hiddenSize: hidden,
    numHiddenLayers: layers,
    numAttentionHeads: heads,
    intermediateSize: 4 * hidden,
    maxPositionEmbeddings: 512,
    typeVocabSize: 2,
    layerNormEps: 1e-12,
  });
}

/** The published BERT sizes (Google's BERT-Tiny ... BERT-Large), uncased vocabulary. */
export const BERT_PRESETS: Readonly<Record<BertPresetName, BertConfig>> = Object.freeze({
  tiny: preset(2, 128, 2),
  mini: preset(4, 256, 4),
  small: preset(4, 512, 8),
  medium: preset(8, 512, 8),
  base: preset(12, 768, 12),
  large: preset(24, 1024, 16),
});

export function isBertPresetName(name: string): name is BertPresetName {
  return (BERT_PRESET_NAMES as readonly string[]).includes(name);
}

/** The preset with this name; throws BMD_ERR_CONFIG for an unknown name. */
export function bertPreset(name: string): BertConfig {
  if (!isBertPresetName(name))
    throw new BertModelsError(
      'BMD_ERR_CONFIG',
      `unknown BERT preset '${name}'; use one of ${BERT_PRESET_NAMES.join(', ')}`,
    );
  return BERT_PRESETS[name];
}

/** Size of one attention head (hiddenSize / numAttentionHeads). */
export function attentionHeadSize(config: BertConfig): number {
  return config.hiddenSize / config.numAttentionHeads;
}

const INTEGER_FIELDS = [
  'vocabSize',
  'hiddenSize',
  'numHiddenLayers',
  'numAttentionHeads',
  'intermediateSize',
  'maxPositionEmbeddings',
  'typeVocabSize',
] as const;

/** Check a config and return it; throws BMD_ERR_CONFIG naming the first bad field. */
export function validateBertConfig(config: BertConfig): BertConfig {
  for (const field of INTEGER_FIELDS) {
    const v = config[field];
    if (!Number.isSafeInteger(v) || v < 1)
      throw new BertModelsError('BMD_ERR_CONFIG', `BertConfig.${field} must be a positive integer, got ${v}`);
  }
  if (config.hiddenSize % config.numAttentionHeads !== 0)
    throw new BertModelsError(
      'BMD_ERR_CONFIG',
      `BertConfig.hiddenSize ${config.hiddenSize} is not divisible by numAttentionHeads ${config.numAttentionHeads}`,
    );
  if (!(config.layerNormEps > 0) || !Number.isFinite(config.layerNormEps))
    throw new BertModelsError(
      'BMD_ERR_CONFIG',
      `BertConfig.layerNormEps must be a positive number, got ${config.layerNormEps}`,
    );
  return config;
}
