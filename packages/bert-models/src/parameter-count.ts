import { type BertConfig, validateBertConfig } from './config.js';
import type { BertFlavor } from './flavor.js';
import { type BertHead, headHasPooler } from './head.js';

export interface ParameterCountOptions {
  /** Default `sequence-classification`. */
  readonly head?: BertHead;
  /** Default `hf-torch` (only the encoder head differs: hf-torch keeps the pooler). */
  readonly flavor?: BertFlavor;
  /** Labels of the classifier (default 2). */
  readonly numLabels?: number;
}

/**
 * The number of weights of a generated model: embeddings, encoder layers, and the pooler and head
 * when the model has them. BERT-Base with a 2-label classifier: 109,483,778; BERT-Large: 335,143,938.
 */
export function bertParameterCount(config: BertConfig, options: ParameterCountOptions = {}): number {
  validateBertConfig(config);
  const head = options.head ?? 'sequence-classification';
  const flavor = options.flavor ?? 'hf-torch';
  const H = config.hiddenSize;
  const I = config.intermediateSize;
  const dense = (inSize: number, outSize: number) => inSize * outSize + outSize;
  const layerNorm = 2 * H;
  const embeddings = (config.vocabSize + config.maxPositionEmbeddings + config.typeVocabSize) * H + layerNorm;
  const layer = 4 * dense(H, H) + layerNorm + dense(H, I) + dense(I, H) + layerNorm;
  let total = embeddings + config.numHiddenLayers * layer;
  if (headHasPooler(head, flavor)) total += dense(H, H);
  if (head === 'sequence-classification') total += dense(H, options.numLabels ?? 2);
  if (head === 'question-answering') total += dense(H, 2);
  return total;
}
