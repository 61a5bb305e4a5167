import type { BertConfig } from './bert-config.js';

/**
 * Canonical BERT weights, independent of any exporter's layout. The same layout as
 * @bert-neuron/bert-models' BertWeights (structurally compatible): embedding tables are row-major
 * [rows, hiddenSize], dense kernels row-major [in, out] (MatMul's B, TF's kernel).
 */
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

export interface BertWeights {
  readonly config: BertConfig;
  /** [vocabSize, hiddenSize] */
  readonly wordEmbeddings: Float32Array;
  /** [maxPositionEmbeddings, hiddenSize] */
  readonly positionEmbeddings: Float32Array;
  /** [typeVocabSize, hiddenSize]; a model without token types (DistilBERT) has typeVocabSize 0. */
  readonly tokenTypeEmbeddings: Float32Array;
  readonly embeddingsLayerNorm: LayerNormWeights;
  readonly layers: readonly BertLayerWeights[];
  /** Dense [hidden, hidden] + tanh on the first token, when the model has a pooler. */
  readonly pooler: DenseWeights | null;
  /** Sequence classification: [hidden, numLabels]. */
  readonly classifier: DenseWeights | null;
  /** Question answering: [hidden, 2] (start, end). */
  readonly questionAnswering: DenseWeights | null;
  /** Pretraining heads (masked LM and next sentence), when the model has them. */
  readonly pretraining?: PretrainingWeights | null;
}

/** BertForPreTraining heads: masked-LM transform + decoder, and next-sentence prediction. */
export interface PretrainingWeights {
  /** Dense [hidden, hidden] followed by GELU and LayerNorm. */
  readonly transform: DenseWeights;
  readonly transformLayerNorm: LayerNormWeights;
  /** [hidden, vocabSize] kernel (often the transposed word embeddings) and its bias. */
  readonly decoder: DenseWeights;
  /** [hidden, 2] on the pooled output. */
  readonly nextSentence: DenseWeights;
}
