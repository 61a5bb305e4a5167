import type { Graph } from '../graph.js';
import type { Node } from '../node.js';
import type { Value } from '../value.js';
import type { Pass } from './pass.js';

/**
 * True when a Dropout node is the identity on its first output: inference semantics and an unused
 * mask. Opset < 7 has `is_test` (it must be 1); opsets 7-11 are the identity outside training;
 * from opset 12 the optional `training_mode` input must be absent or a constant false. The ratio
 * does not matter at inference.
 */
function isInferenceDropout(node: Node, opset: number): boolean {
  const mask = node.output(1);
  if (mask !== null && !mask.isUnused) return false;
  if (opset < 7) return node.attrInt('is_test', 0) !== 0;
  if (opset < 12) return true;
  const mode = node.input(2);
  if (mode === null) return true;
  const t = mode.constant;
  return t !== undefined && t.size === 1 && t.dtype === 'bool' && t.getNumber(0) === 0;
}

/**
 * When `y` is a graph output, replacing it by `x` renames `x` to `y`'s name; that is only possible
 * for a node output of the same graph that is not an output already. Otherwise (`x` is an input,
 * an initializer, an outer value or an output) the node stays as the output's producer.
 */
function canBypass(x: Value, y: Value): boolean {
  if (!y.isGraphOutput) return true;
  return x.graph === y.graph && x.producer !== null && !x.isGraphOutput;
}

function eliminate(graph: Graph, opset: number, counts: { identity: number; dropout: number }): void {
  for (const node of [...graph.nodes]) {
    for (const sub of node.subgraphs()) eliminate(sub, opset, counts);
    if (node.domain !== '' && node.domain !== 'ai.onnx') continue;
    const isIdentity = node.opType === 'Identity';
    if (!isIdentity && !(node.opType === 'Dropout' && isInferenceDropout(node, opset))) continue;
    const x = node.input(0);
    const y = node.output(0);
    if (x === null || y === null || !canBypass(x, y)) continue;
    x.dtype ??= y.dtype;
    if (x.shape === undefined && y.shape !== undefined) x.shape = [...y.shape];
    graph.replaceAllUsesWith(y, x);
    graph.removeNode(node);
    if (isIdentity) counts.identity += 1;
    else counts.dropout += 1;
  }
}

/**
 * Removes Identity nodes and inference-mode Dropout nodes by making their readers read the input
 * directly (in subgraphs too). A node whose output is a graph output is kept when its input is a
 * graph input, an initializer, an outer value or another graph output, since an ONNX graph output
 * needs a producer of its own name.
 */
export const identityEliminationPass: Pass = {
  name: 'identity-elimination',
  run(model) {
    const counts = { identity: 0, dropout: 0 };
    eliminate(model.graph, model.opset('') ?? 1, counts);
    return {
      modified: counts.identity + counts.dropout > 0,
      stats: { identityRemoved: counts.identity, dropoutRemoved: counts.dropout },
    };
  },
};
