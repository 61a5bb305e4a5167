// The optional per-channel scale and shift after a normalized value: Mul(n, gamma) then Add(., beta).
import type { Node, Tensor, Value } from '@bert-neuron/graph-ir';
import { channelVector } from './layer-norm-node.js';

export interface Affine {
  readonly gamma: { value: Value; tensor: Tensor; node: Node } | null;
  readonly beta: { value: Value; tensor: Tensor; node: Node } | null;
  /** The value the LayerNorm replaces: the shift's, the scale's, or `normalized` itself. */
  readonly output: Value;
}

/** The single reader of v when it is `opType` with a per-channel constant other operand. */
function channelOp(
  v: Value,
  opType: string,
  x: Value,
): { value: Value; tensor: Tensor; node: Node } | undefined {
  if (v.uses.length !== 1 || v.isGraphOutput) return undefined;
  const node = v.uses[0]!.node;
  if (node.opType !== opType || node.domain !== '' || node.inputs.length !== 2) return undefined;
  const other = node.input(1 - v.uses[0]!.index);
  if (other === null) return undefined;
  const tensor = channelVector(other, x);
  return tensor && { value: other, tensor, node };
}

/** Follow `normalized` (the LayerNorm of x without affine) down through an optional gamma Mul and beta Add. */
export function affineAfter(normalized: Value, x: Value): Affine {
  const gamma = channelOp(normalized, 'Mul', x) ?? null;
  const afterScale = gamma ? gamma.node.out : normalized;
  const beta = channelOp(afterScale, 'Add', x) ?? null;
  return { gamma, beta, output: beta ? beta.node.out : afterScale };
}
