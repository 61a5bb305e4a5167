import { attr, type Dim, type Value } from '@bert-neuron/graph-ir';
import type { LayerNormWeights } from '../bert-weights.js';
import type { NodeEmitter } from './node-emitter.js';

/**
 * LayerNorm over the last axis as one opset-17 `LayerNormalization`:
 * y = (x - mean(x)) / sqrt(var(x) + eps) * gamma + beta, statistics in float32.
 */
export function emitLayerNorm(
  e: NodeEmitter,
  x: Value,
  w: LayerNormWeights,
  eps: number,
  shape: readonly Dim[],
): Value {
  const hidden = w.gamma.length;
  const gamma = e.float32('gamma', [hidden], w.gamma);
  const beta = e.float32('beta', [hidden], w.beta);
  return e.op('LayerNormalization', [x, gamma, beta], {
    attributes: { axis: attr.int(-1), epsilon: attr.float(eps) },
    shape: [...shape],
  });
}
