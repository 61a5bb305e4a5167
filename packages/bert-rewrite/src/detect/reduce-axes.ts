import type { Node, Value } from '@bert-neuron/graph-ir';
import { resolveConstant } from './constant-value.js';

/** The axes of a Reduce* node (attribute before opset 18, input from 18); undefined when unknown. */
export function reduceAxes(node: Node): number[] | undefined {
  const a = node.attributes.get('axes');
  if (a?.type === 'ints') return a.value.map(Number);
  const input = node.input(1);
  if (input) {
    const c = resolveConstant(input);
    return c ? c.tensor.toNumbers() : undefined;
  }
  return undefined;
}

/**
 * True when `node` is a ReduceMean over the last axis of `x` that keeps dims: axes [-1], or
 * [rank-1] when the rank of x is known (keras2onnx writes axes [2] on [batch, seq, hidden]).
 */
export function isMeanOverLastAxis(node: Node, x: Value): boolean {
  if (node.opType !== 'ReduceMean' || node.domain !== '') return false;
  if (node.attrInt('keepdims', 1) !== 1) return false;
  const axes = reduceAxes(node);
  if (axes?.length !== 1) return false;
  const axis = axes[0]!;
  if (axis === -1) return true;
  const rank = x.shape?.length;
  return rank === undefined ? axis >= 1 : axis === rank - 1;
}
