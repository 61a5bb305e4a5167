import type { BertFlavor } from './flavor.js';

/** What sits on top of the encoder. */
export type BertHead = 'sequence-classification' | 'question-answering' | 'encoder';

export const BERT_HEADS: readonly BertHead[] = ['sequence-classification', 'question-answering', 'encoder'];

export function isBertHead(name: string): name is BertHead {
  return (BERT_HEADS as readonly string[]).includes(name);
}

/**
 * Whether a model with this head has the pooler (dense + tanh on the first token). Sequence
 * classification reads it; question answering does not (Hugging Face builds BertForQuestionAnswering
 * without it, and tf2onnx prunes it from a SQuAD export); the encoder-only model exposes it as
 * `pooler_output` in hf-torch (BertModel) and leaves it out in tf-google (sequence output only).
 */
export function headHasPooler(head: BertHead, flavor: BertFlavor): boolean {
  if (head === 'sequence-classification') return true;
  if (head === 'encoder') return flavor === 'hf-torch';
  return false;
}
