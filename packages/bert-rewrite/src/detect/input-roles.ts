import type { Graph, Value } from '@bert-neuron/graph-ir';
import { BertRewriteError } from '../errors.js';
import type { BertInputBinding, BertInputRole } from './bert-interface.js';
import type { EmbeddingsMatch } from './embeddings-match.js';
import type { MaskMatch } from './mask-match.js';

/**
 * The role of every graph input, from how its data is used: the input reaching the word table's
 * lookup is `input_ids`, the one reaching the token-type table `token_type_ids`, one reaching the
 * position table `position_ids`, one reaching the attention-mask bias `attention_mask`; inputs
 * no data path reads are `unused`.
 */
export function inputRoles(
  graph: Graph,
  emb: EmbeddingsMatch,
  mask: MaskMatch,
  notes: string[],
): BertInputBinding[] {
  const roleOf = new Map<Value, BertInputRole>();
  const claim = (inputs: readonly Value[], role: BertInputRole) => {
    for (const v of inputs) {
      const prev = roleOf.get(v);
      if (prev === undefined) roleOf.set(v, role);
      else if (prev !== role)
        notes.push(`input '${v.name}' serves as ${prev} and ${role}; reported as ${prev}`);
    }
  };
  if (emb.word.inputs.length !== 1)
    throw new BertRewriteError(
      'BRW_ERR_UNSUPPORTED',
      `the word-embedding lookup reads ${emb.word.inputs.length} graph inputs (${emb.word.inputs.map((v) => v.name).join(', ')}); expected exactly one token-ids input`,
    );
  claim(emb.word.inputs, 'input_ids');
  if (emb.tokenType) claim(emb.tokenType.inputs, 'token_type_ids');
  if (emb.position) claim(emb.position.inputs, 'position_ids');
  claim(mask.inputs, 'attention_mask');
  return graph.inputs
    .filter((v) => !v.isInitializer)
    .map((v) => ({ role: roleOf.get(v) ?? 'unused', name: v.name, dtype: v.dtype, shape: v.shape }));
}
