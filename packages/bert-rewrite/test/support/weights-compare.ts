// Exact comparison of canonical weights, naming the first tensor that differs. Test support only.
import type { BertWeights, DenseWeights, LayerNormWeights } from '../../src/bert-weights.js';

function same(a: Float32Array | undefined, b: Float32Array | undefined): boolean {
  if (!a || !b) return a === b;
  if (a.length !== b.length) return false;
  return (
    Buffer.compare(
      new Uint8Array(a.buffer, a.byteOffset, a.byteLength),
      new Uint8Array(b.buffer, b.byteOffset, b.byteLength),
    ) === 0
  );
}

type Weightsish = Pick<
  BertWeights,
  | 'wordEmbeddings'
  | 'positionEmbeddings'
  | 'tokenTypeEmbeddings'
  | 'embeddingsLayerNorm'
  | 'layers'
  | 'pooler'
  | 'classifier'
  | 'questionAnswering'
>;

/** Names of the tensors that are not bit-identical (empty when all are). */
export function weightDifferences(
  got: Weightsish,
  want: Weightsish,
  options: { heads?: boolean } = {},
): string[] {
  const diffs: string[] = [];
  const dense = (name: string, a: DenseWeights | null, b: DenseWeights | null) => {
    if (!a || !b) {
      if (a !== b) diffs.push(`${name} present in only one`);
      return;
    }
    if (a.inSize !== b.inSize || a.outSize !== b.outSize) diffs.push(`${name} shape`);
    if (!same(a.kernel, b.kernel)) diffs.push(`${name}.kernel`);
    if (!same(a.bias, b.bias)) diffs.push(`${name}.bias`);
  };
  const ln = (name: string, a: LayerNormWeights, b: LayerNormWeights) => {
    if (!same(a.gamma, b.gamma)) diffs.push(`${name}.gamma`);
    if (!same(a.beta, b.beta)) diffs.push(`${name}.beta`);
  };
  for (const k of ['wordEmbeddings', 'positionEmbeddings', 'tokenTypeEmbeddings'] as const)
    if (!same(got[k], want[k])) diffs.push(k);
  ln('embeddingsLayerNorm', got.embeddingsLayerNorm, want.embeddingsLayerNorm);
  if (got.layers.length !== want.layers.length) diffs.push('layer count');
  want.layers.forEach((w, i) => {
    const g = got.layers[i];
    if (!g) return;
    for (const k of ['query', 'key', 'value', 'attentionOutput', 'intermediate', 'output'] as const)
      dense(`layers[${i}].${k}`, g[k], w[k]);
    ln(`layers[${i}].attentionLayerNorm`, g.attentionLayerNorm, w.attentionLayerNorm);
    ln(`layers[${i}].outputLayerNorm`, g.outputLayerNorm, w.outputLayerNorm);
  });
  if (options.heads !== false) {
    dense('pooler', got.pooler, want.pooler);
    dense('classifier', got.classifier, want.classifier);
    dense('questionAnswering', got.questionAnswering, want.questionAnswering);
  }
  return diffs;
}
