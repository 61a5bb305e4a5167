import type { GeluForm } from '../gelu.js';
import type { BertHead } from '../head.js';
import type { BertWeights } from '../weights.js';

/** What a flavor builder needs; `generateBert` resolves the defaults and checks the values. */
export interface FlavorBuildOptions {
  readonly weights: BertWeights;
  readonly head: BertHead;
  readonly gelu: GeluForm;
  /** tf-google: the fixed sequence length of the inputs. */
  readonly sequenceLength: number;
  /** hf-torch: emit inference-mode Dropout nodes where the model has dropout. */
  readonly dropout: boolean;
}

/** Hugging Face and google-research BERT both use dropout probability 0.1 everywhere. */
export const DROPOUT_RATIO = 0.1;
