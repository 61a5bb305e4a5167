/**
 * The shape of a BERT encoder (the fields of a Hugging Face `BertConfig`, camel-cased). Same fields
 * as @bert-neuron/bert-models' BertConfig, so a config from there can be passed here as it is.
 */
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

/**
 * GELU forms: `erf` is x*0.5*(1+erf(x/sqrt2)) (Hugging Face, torch), `tanh` the tanh approximation
 * (google-research BERT), `sigmoid` the reference's aggressive x*sigmoid(1.702x).
 */
export type GeluForm = 'erf' | 'tanh' | 'sigmoid';
