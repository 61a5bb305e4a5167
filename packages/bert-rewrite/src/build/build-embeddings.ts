import { attr, type Value } from '@bert-neuron/graph-ir';
import type { BertConfig } from '../bert-config.js';
import type { BertWeights } from '../bert-weights.js';
import { emitLayerNorm } from './layer-norm.js';
import type { NodeEmitter } from './node-emitter.js';
import type { ShapeTargets } from './shape-targets.js';

export interface EmbeddingInputs {
  readonly ids: Value;
  /** null: no token-type input (row 0 of the table is added, or nothing without a table). */
  readonly tokenTypes: Value | null;
}

/**
 * The embeddings (host): word[ids] + tokenType[types] + position[0:S], then the embedding
 * LayerNorm, then ONE Reshape to the 2-D [B*S, H] hidden states every layer works on.
 * `e` is the root emitter; nodes go under `embeddings/` in regions embeddings and
 * embeddings-layernorm.
 */
export function buildEmbeddings(
  e: NodeEmitter,
  config: BertConfig,
  weights: BertWeights,
  inputs: EmbeddingInputs,
  shapes: ShapeTargets,
): Value {
  const H = config.hiddenSize;
  const { batch: B, sequence: S } = shapes;
  const x = e.at('embeddings', 'embeddings');
  const bsh = [B, S, H];

  // word_embeddings[ids]: [V, H] gathered by [B, S] -> [B, S, H]
  const wordScope = x.at('word_embeddings');
  const wordTable = wordScope.float32('table', [config.vocabSize, H], weights.wordEmbeddings);
  let sum = wordScope.op('Gather', [wordTable, inputs.ids], {
    attributes: { axis: attr.int(0) },
    shape: bsh,
  });

  // token_type_embeddings[types], or its row 0 for every token when the model takes no types.
  if (config.typeVocabSize > 0) {
    const typeScope = x.at('token_type_embeddings');
    let typed: Value;
    if (inputs.tokenTypes !== null) {
      const table = typeScope.float32('table', [config.typeVocabSize, H], weights.tokenTypeEmbeddings);
      typed = typeScope.op('Gather', [table, inputs.tokenTypes], {
        attributes: { axis: attr.int(0) },
        shape: bsh,
      });
    } else typed = typeScope.float32('row_0', [H], weights.tokenTypeEmbeddings.subarray(0, H));
    sum = x.op('Add', [sum, typed], { name: 'add_token_type', shape: bsh });
  }

  // position_embeddings[0:S]: the first S rows of the [P, H] table, broadcast over the batch.
  const posScope = x.at('position_embeddings');
  const posTable = posScope.float32('table', [config.maxPositionEmbeddings, H], weights.positionEmbeddings);
  const positions = posScope.op(
    'Slice',
    [
      posTable,
      posScope.int64s('starts', [0]),
      shapes.sequenceEnd('sequence_end'),
      posScope.int64s('axes', [0]),
    ],
    { shape: [S, H] },
  );
  sum = x.op('Add', [sum, positions], { name: 'add_position', shape: bsh });

  const normed = emitLayerNorm(
    x.at('LayerNorm', 'embeddings-layernorm'),
    sum,
    weights.embeddingsLayerNorm,
    config.layerNormEps,
    bsh,
  );
  return x.op('Reshape', [normed, shapes.flat('tokens_hidden', H)], { shape: [shapes.tokens, H] });
}
