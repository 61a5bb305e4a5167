import type { BertConfig } from '../bert-config.js';
import type { BertWeights, DenseWeights, LayerNormWeights } from '../bert-weights.js';
import { BertRewriteError } from '../errors.js';
import type { BertHeadKind } from '../head.js';
import type { NeuronBertOutputRole } from './neuron-bert-options.js';

function fail(message: string): BertRewriteError {
  return new BertRewriteError('BRW_ERR_OPTION', message);
}

const POSITIVE_FIELDS = [
  'vocabSize',
  'hiddenSize',
  'numHiddenLayers',
  'numAttentionHeads',
  'intermediateSize',
  'maxPositionEmbeddings',
] as const;

/** Check a config: positive integer sizes (typeVocabSize may be 0), heads dividing hidden, eps > 0. */
export function validateBertConfig(config: BertConfig): void {
  if (typeof config !== 'object' || config === null) throw fail('buildNeuronBert needs a BertConfig');
  for (const f of POSITIVE_FIELDS) {
    const v = config[f];
    if (!Number.isSafeInteger(v) || v < 1)
      throw fail(`config.${f} must be a positive integer, got ${String(v)}`);
  }
  if (!Number.isSafeInteger(config.typeVocabSize) || config.typeVocabSize < 0)
    throw fail(`config.typeVocabSize must be a non-negative integer, got ${String(config.typeVocabSize)}`);
  if (config.hiddenSize % config.numAttentionHeads !== 0)
    throw fail(
      `config.hiddenSize ${config.hiddenSize} is not divisible by numAttentionHeads ${config.numAttentionHeads}`,
    );
  if (!(config.layerNormEps > 0) || !Number.isFinite(config.layerNormEps))
    throw fail(`config.layerNormEps must be a positive number, got ${String(config.layerNormEps)}`);
}

function checkArray(name: string, a: unknown, length: number, dims: string): void {
  if (!(a instanceof Float32Array)) throw fail(`weight ${name} must be a Float32Array`);
  if (a.length !== length)
    throw fail(
      `weight ${name} has ${a.length} elements but the config needs ${dims} = ${length}; pass the model's own config`,
    );
}

function checkDense(name: string, w: DenseWeights, inSize: number, outSize: number): void {
  if (w.inSize !== inSize || w.outSize !== outSize)
    throw fail(`weight ${name} is [${w.inSize}, ${w.outSize}] but the config needs [${inSize}, ${outSize}]`);
  checkArray(`${name}.kernel`, w.kernel, inSize * outSize, `[${inSize}, ${outSize}]`);
  checkArray(`${name}.bias`, w.bias, outSize, `[${outSize}]`);
}

function checkLayerNorm(name: string, w: LayerNormWeights, hidden: number): void {
  checkArray(`${name}.gamma`, w.gamma, hidden, `[${hidden}]`);
  checkArray(`${name}.beta`, w.beta, hidden, `[${hidden}]`);
}

function missing(head: BertHeadKind, what: string): BertRewriteError {
  return new BertRewriteError(
    'BRW_ERR_HEAD',
    `a ${head} model needs ${what} weights, and these weights have none`,
  );
}

/**
 * Check that the weights fit the config (every tensor's size, named in the error, BRW_ERR_OPTION)
 * and hold what the head and its outputs need (BRW_ERR_HEAD).
 */
export function validateBertWeights(
  config: BertConfig,
  weights: BertWeights,
  head: BertHeadKind,
  roles: readonly NeuronBertOutputRole[],
): void {
  if (typeof weights !== 'object' || weights === null) throw fail('buildNeuronBert needs BertWeights');
  const c = weights.config;
  if (c !== undefined && c !== config)
    for (const k of Object.keys(config) as (keyof BertConfig)[])
      if (c[k] !== config[k])
        throw fail(`the weights were made for config.${k} = ${String(c[k])}, not ${String(config[k])}`);
  const H = config.hiddenSize;
  const I = config.intermediateSize;
  checkArray('wordEmbeddings', weights.wordEmbeddings, config.vocabSize * H, `[vocabSize, hiddenSize]`);
  checkArray(
    'positionEmbeddings',
    weights.positionEmbeddings,
    config.maxPositionEmbeddings * H,
    `[maxPositionEmbeddings, hiddenSize]`,
  );
  checkArray(
    'tokenTypeEmbeddings',
    weights.tokenTypeEmbeddings,
    config.typeVocabSize * H,
    `[typeVocabSize, hiddenSize]`,
  );
  checkLayerNorm('embeddingsLayerNorm', weights.embeddingsLayerNorm, H);
  if (!Array.isArray(weights.layers) || weights.layers.length !== config.numHiddenLayers)
    throw fail(
      `weights have ${weights.layers?.length} layers but config.numHiddenLayers is ${config.numHiddenLayers}`,
    );
  weights.layers.forEach((l, i) => {
    const p = `layers[${i}]`;
    checkDense(`${p}.query`, l.query, H, H);
    checkDense(`${p}.key`, l.key, H, H);
    checkDense(`${p}.value`, l.value, H, H);
    checkDense(`${p}.attentionOutput`, l.attentionOutput, H, H);
    checkLayerNorm(`${p}.attentionLayerNorm`, l.attentionLayerNorm, H);
    checkDense(`${p}.intermediate`, l.intermediate, H, I);
    checkDense(`${p}.output`, l.output, I, H);
    checkLayerNorm(`${p}.outputLayerNorm`, l.outputLayerNorm, H);
  });
  if (weights.pooler) checkDense('pooler', weights.pooler, H, H);
  if (weights.classifier) checkDense('classifier', weights.classifier, H, weights.classifier.outSize);
  if (weights.questionAnswering) checkDense('questionAnswering', weights.questionAnswering, H, 2);
  if (weights.pretraining) {
    const p = weights.pretraining;
    checkDense('pretraining.transform', p.transform, H, H);
    checkLayerNorm('pretraining.transformLayerNorm', p.transformLayerNorm, H);
    checkDense('pretraining.decoder', p.decoder, H, config.vocabSize);
    checkDense('pretraining.nextSentence', p.nextSentence, H, 2);
  }

  switch (head) {
    case 'sequence-classification':
      if (!weights.pooler) throw missing(head, 'pooler');
      if (!weights.classifier) throw missing(head, 'classifier');
      if (!Number.isSafeInteger(weights.classifier.outSize) || weights.classifier.outSize < 1)
        throw fail(`weight classifier needs at least one label, got outSize ${weights.classifier.outSize}`);
      break;
    case 'question-answering':
      if (!weights.questionAnswering) throw missing(head, 'questionAnswering');
      break;
    case 'encoder':
      if (roles.includes('pooler_output') && !weights.pooler)
        throw missing(head, 'pooler (for pooler_output)');
      break;
    case 'pretraining':
      if (!weights.pretraining) throw missing(head, 'pretraining');
      if (!weights.pooler) throw missing(head, 'pooler (next-sentence prediction reads the pooled output)');
      break;
  }
}
