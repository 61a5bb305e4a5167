import { type BertConfig, validateBertConfig } from './config.js';
import { BertModelsError } from './errors.js';
import { fillNormal, streamSeed } from './normal-fill.js';

/** A dense layer: `y = x @ kernel + bias`, kernel row-major [inSize, outSize] (TF's kernel layout, MatMul's B). */
export interface DenseWeights {
  readonly inSize: number;
  readonly outSize: number;
  readonly kernel: Float32Array;
  readonly bias: Float32Array;
}

export interface LayerNormWeights {
  readonly gamma: Float32Array;
  readonly beta: Float32Array;
}

export interface BertLayerWeights {
  readonly query: DenseWeights;
  readonly key: DenseWeights;
  readonly value: DenseWeights;
  readonly attentionOutput: DenseWeights;
  readonly attentionLayerNorm: LayerNormWeights;
  readonly intermediate: DenseWeights;
  readonly output: DenseWeights;
  readonly outputLayerNorm: LayerNormWeights;
}

/**
 * The canonical weights of a BERT model, independent of any exporter's layout: every flavor builds
 * its graph from these numbers (bert-rewrite extracts the same layout back). Embedding tables are
 * row-major [rows, hiddenSize]; dense kernels are [in, out].
 */
export interface BertWeights {
  readonly config: BertConfig;
  readonly seed: number;
  /** [vocabSize, hiddenSize] */
  readonly wordEmbeddings: Float32Array;
  /** [maxPositionEmbeddings, hiddenSize] */
  readonly positionEmbeddings: Float32Array;
  /** [typeVocabSize, hiddenSize] */
  readonly tokenTypeEmbeddings: Float32Array;
  readonly embeddingsLayerNorm: LayerNormWeights;
  readonly layers: readonly BertLayerWeights[];
  /** Dense [hidden, hidden] followed by tanh on the first token, when the model has a pooler. */
  readonly pooler: DenseWeights | null;
  /** Sequence classification: [hidden, numLabels]. */
  readonly classifier: DenseWeights | null;
  /** Question answering: [hidden, 2] (start, end). */
  readonly questionAnswering: DenseWeights | null;
}

/**
 * Standard deviations of the random weights. BERT's own initializer (normal, std 0.02) makes a
 * random BERT give the same answer for every input: the residual stream is dominated by the
 * embeddings and every layer adds almost nothing. Dense kernels drawn with std gain/sqrt(fan_in)
 * keep each sublayer on the scale of its input. What remains is the part of the [CLS] state that is
 * the same for every input (its own embedding carried along the residual path), which pushes every
 * input to one class: sharper attention (query/key gain 2) makes [CLS] read particular tokens, and
 * a weak feed-forward (gain 0.3) stops it from amplifying the common part. Gain 4 made attention
 * nearly one-hot and the model chaotic (FP16/int8 errors amplified); gain 1 predicts one class.
 * Measured over the 408 MRPC dev pairs (hf-torch, erf, seed 1): std of logit1 - logit0 0.57 / 0.60 /
 * 0.52 and minority class 19.6% / 35.3% / 37.5% for tiny / base / large; see the package README.
 */
export interface WeightInit {
  /** Word embedding std. */
  readonly wordEmbedding: number;
  /** Position embedding std. */
  readonly positionEmbedding: number;
  /** Token type embedding std. */
  readonly tokenTypeEmbedding: number;
  /** Query and key kernels: gain / sqrt(fan_in) (a gain above 1 sharpens attention). */
  readonly queryKeyGain: number;
  /** Value and attention output kernels: gain / sqrt(fan_in). */
  readonly valueGain: number;
  /** Feed-forward kernels (intermediate and output): gain / sqrt(fan_in). */
  readonly feedForwardGain: number;
  /** Pooler, classifier and question-answering kernels: gain / sqrt(fan_in). */
  readonly headGain: number;
  /** Bias std. */
  readonly bias: number;
  /** LayerNorm gamma = 1 + gammaStd * normal, beta = betaStd * normal. */
  readonly layerNormGamma: number;
  readonly layerNormBeta: number;
}

export const DEFAULT_WEIGHT_INIT: WeightInit = Object.freeze({
  wordEmbedding: 1,
  positionEmbedding: 0.5,
  tokenTypeEmbedding: 0.5,
  queryKeyGain: 2,
  valueGain: 1,
  feedForwardGain: 0.3,
  headGain: 1,
  bias: 0.02,
  layerNormGamma: 0.05,
  layerNormBeta: 0.05,
});

export interface BertWeightsOptions {
  /** Any integer in [0, 2^53). The same seed gives the same numbers for every tensor. */
  readonly seed: number;
  /** Generate the pooler (default true). */
  readonly pooler?: boolean;
  /** Generate a classifier with this many labels (default: none). */
  readonly classifierLabels?: number;
  /** Generate the question-answering output layer (default false). */
  readonly questionAnswering?: boolean;
  /** Override the weight scales (for experiments; the defaults are what the tests accept). */
  readonly init?: Partial<WeightInit>;
}

/** Check a seed: a non-negative safe integer. Throws BMD_ERR_OPTION. */
export function validateSeed(seed: number): number {
  if (!Number.isSafeInteger(seed) || seed < 0)
    throw new BertModelsError('BMD_ERR_OPTION', `seed must be an integer in [0, 2^53), got ${seed}`);
  return seed;
}

/**
 * Generate canonical BERT weights from a seed. Each tensor is drawn from its own stream keyed by
 * (seed, canonical name), so a tensor's values are the same whatever else the model holds.
 */
export function generateBertWeights(config: BertConfig, options: BertWeightsOptions): BertWeights {
  validateBertConfig(config);
  const seed = validateSeed(options.seed);
  const init = { ...DEFAULT_WEIGHT_INIT, ...options.init };
  const labels = options.classifierLabels ?? 0;
  if (!Number.isSafeInteger(labels) || labels < 0)
    throw new BertModelsError(
      'BMD_ERR_OPTION',
      `classifierLabels must be a non-negative integer, got ${labels}`,
    );
  const H = config.hiddenSize;
  const normal = (name: string, n: number, std: number, mean = 0) =>
    fillNormal(new Float32Array(n), streamSeed(seed, name), std, mean);
  const dense = (name: string, inSize: number, outSize: number, gain: number): DenseWeights => ({
    inSize,
    outSize,
    kernel: normal(`${name}.kernel`, inSize * outSize, gain / Math.sqrt(inSize)),
    bias: normal(`${name}.bias`, outSize, init.bias),
  });
  const layerNorm = (name: string): LayerNormWeights => ({
    gamma: normal(`${name}.gamma`, H, init.layerNormGamma, 1),
    beta: normal(`${name}.beta`, H, init.layerNormBeta),
  });
  const layers: BertLayerWeights[] = [];
  for (let i = 0; i < config.numHiddenLayers; i++) {
    const p = `layer.${i}`;
    layers.push({
      query: dense(`${p}.query`, H, H, init.queryKeyGain),
      key: dense(`${p}.key`, H, H, init.queryKeyGain),
      value: dense(`${p}.value`, H, H, init.valueGain),
      attentionOutput: dense(`${p}.attention_output`, H, H, init.valueGain),
      attentionLayerNorm: layerNorm(`${p}.attention_layer_norm`),
      intermediate: dense(`${p}.intermediate`, H, config.intermediateSize, init.feedForwardGain),
      output: dense(`${p}.output`, config.intermediateSize, H, init.feedForwardGain),
      outputLayerNorm: layerNorm(`${p}.output_layer_norm`),
    });
  }
  return {
    config,
    seed,
    wordEmbeddings: normal('embeddings.word', config.vocabSize * H, init.wordEmbedding),
    positionEmbeddings: normal(
      'embeddings.position',
      config.maxPositionEmbeddings * H,
      init.positionEmbedding,
    ),
    tokenTypeEmbeddings: normal('embeddings.token_type', config.typeVocabSize * H, init.tokenTypeEmbedding),
    embeddingsLayerNorm: layerNorm('embeddings.layer_norm'),
    layers,
    pooler: options.pooler === false ? null : dense('pooler', H, H, init.headGain),
    classifier: labels > 0 ? dense('classifier', H, labels, init.headGain) : null,
    questionAnswering: options.questionAnswering ? dense('qa_outputs', H, 2, init.headGain) : null,
  };
}
