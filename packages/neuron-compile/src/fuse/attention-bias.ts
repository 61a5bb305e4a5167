// The additive attention bias in the form com.microsoft Attention / MultiHeadAttention take.
import { attr, type Graph, type Node, Tensor, type Value } from '@bert-neuron/graph-ir';
import { freshNodeName, tagLike } from './fused-node.js';

/**
 * Memo of expanded biases, one per bias value: every layer reads the same [B, 1, 1, S] bias, so
 * it is expanded once and shared (the reference builds the mask once, too).
 */
export type AttentionBiasCache = Map<Value, Value>;

/** The bias dims when it can be expanded to [B, 1, S, S]: rank 4 with dims 1 and 2 equal to 1 (or already S). */
export function biasForm(bias: Value): 'key-only' | 'full' | undefined {
  const s = bias.shape;
  if (s === undefined || s.length !== 4 || s[1] !== 1) return undefined;
  if (s[2] === 1) return 'key-only';
  if (s[2] !== null && s[2] === s[3]) return 'full';
  return undefined;
}

/**
 * bias [B, 1, 1, S] -> Expand(bias, [1, 1, S, 1]) = [B, 1, S, S], the attention_bias ONNX Runtime's
 * Attention and MultiHeadAttention take (they broadcast batch and heads, not query rows). S is read
 * from the bias at run time when it is symbolic. Nodes go before `before`.
 */
export function expandedAttentionBias(
  graph: Graph,
  bias: Value,
  before: Node,
  like: Node,
  cache: AttentionBiasCache,
): Value {
  if (biasForm(bias) === 'full') return bias;
  const known = cache.get(bias);
  if (known !== undefined) return known;
  const [b, , , s] = bias.shape!;
  const base = freshNodeName(graph, 'attention_bias/Expand');
  let target: Value;
  if (typeof s === 'number') {
    target = graph.addInitializer(graph.uniqueName(`${base}/shape`), Tensor.int64([4], [1, 1, s, 1]));
  } else {
    const shape = graph.addNode({
      opType: 'Shape',
      name: freshNodeName(graph, `${base}/Shape`),
      inputs: [bias],
      outputs: [{ name: graph.uniqueName(`${base}/bias_shape`), dtype: 'int64', shape: [4] }],
      before,
    });
    tagLike(shape, like);
    const last = graph.addInitializer(graph.uniqueName(`${base}/last`), Tensor.int64([1], [3]));
    const sequence = graph.addNode({
      opType: 'Gather',
      name: freshNodeName(graph, `${base}/Gather`),
      inputs: [shape.out, last],
      attributes: { axis: attr.int(0) },
      outputs: [{ name: graph.uniqueName(`${base}/sequence`), dtype: 'int64', shape: [1] }],
      before,
    });
    tagLike(sequence, like);
    const head = graph.addInitializer(graph.uniqueName(`${base}/ones`), Tensor.int64([2], [1, 1]));
    const tail = graph.addInitializer(graph.uniqueName(`${base}/one`), Tensor.int64([1], [1]));
    const concat = graph.addNode({
      opType: 'Concat',
      name: freshNodeName(graph, `${base}/Concat`),
      inputs: [head, sequence.out, tail],
      attributes: { axis: attr.int(0) },
      outputs: [{ name: graph.uniqueName(`${base}/shape`), dtype: 'int64', shape: [4] }],
      before,
    });
    tagLike(concat, like);
    target = concat.out;
  }
  const expand = graph.addNode({
    opType: 'Expand',
    name: base,
    inputs: [bias, target],
    outputs: [
      {
        name: graph.uniqueName(`${base}_out`),
        dtype: bias.dtype,
        shape: [b ?? null, 1, s ?? null, s ?? null],
      },
    ],
    before,
  });
  tagLike(expand, like);
  cache.set(bias, expand.out);
  return expand.out;
}
