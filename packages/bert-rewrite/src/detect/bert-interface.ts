import type { DataType, Dim } from '@bert-neuron/graph-ir';

/** What a graph input carries, found from how the graph uses it. */
export type BertInputRole = 'input_ids' | 'attention_mask' | 'token_type_ids' | 'position_ids' | 'unused';

/** What a graph output holds. */
export type BertOutputRole =
  | 'logits'
  | 'probabilities'
  | 'log_probabilities'
  | 'start_logits'
  | 'end_logits'
  | 'last_hidden_state'
  | 'pooler_output'
  | 'prediction_scores'
  | 'seq_relationship_score';

export interface BertInputBinding {
  readonly role: BertInputRole;
  readonly name: string;
  readonly dtype: DataType | undefined;
  readonly shape: readonly Dim[] | undefined;
}

export interface BertOutputBinding {
  readonly role: BertOutputRole;
  readonly name: string;
  readonly dtype: DataType | undefined;
  readonly shape: readonly Dim[] | undefined;
}

/**
 * The model's interface in graph order: every graph input with its role (`unused` when no data
 * path reads it, like tf-google's `label_ids`), every graph output with its role.
 */
export interface BertInterface {
  readonly inputs: readonly BertInputBinding[];
  readonly outputs: readonly BertOutputBinding[];
}
