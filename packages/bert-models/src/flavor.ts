/**
 * The exporter whose graph shape a model copies:
 * - `hf-torch`: torch.onnx export of a Hugging Face BERT (int64 inputs, dynamic batch and sequence);
 * - `tf-google`: tf2onnx of google-research BERT exported for serving (int32 inputs, fixed sequence).
 */
export type BertFlavor = 'hf-torch' | 'tf-google';

export const BERT_FLAVORS: readonly BertFlavor[] = ['hf-torch', 'tf-google'];

export function isBertFlavor(name: string): name is BertFlavor {
  return (BERT_FLAVORS as readonly string[]).includes(name);
}
