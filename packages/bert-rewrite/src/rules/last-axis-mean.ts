import type { Node, Value } from '@bert-neuron/graph-ir';

/** The axes of a Reduce* node: the `axes` attribute (before opset 18) or the constant second input. */
function reduceAxes(node: Node): number[] | undefined {
  const a = node.attributes.get('axes');
  if (a?.type === 'ints') return a.value.map(Number);
  const input = node.input(1);
  if (input === null) return undefined;
  return input.constant?.toNumbers();
}

/**
 * True when `node` is a ReduceMean over the last axis of `x` that keeps the reduced dim: axes
 * [-1], or [rank - 1] when the rank of x is known (keras2onnx writes axes [2] on [B, S, H]).
 */
export function isLastAxisMean(node: Node, x: Value): boolean {
  if (node.opType !== 'ReduceMean' || node.domain !== '' || node.input(0) !== x) return false;
  if (node.attrInt('keepdims', 1) !== 1) return false;
  const axes = reduceAxes(node);
  if (axes === undefined || axes.length !== 1) return false;
  const axis = axes[0]!;
  const rank = x.shape?.length;
  return axis === -1 || (rank !== undefined && axis === rank - 1);
}
