import { attr, type Value } from '@bert-neuron/graph-ir';
import type { NodeEmitter } from './node-emitter.js';
import type { ShapeTargets } from './shape-targets.js';

/** The additive value at masked key positions, as google-research BERT and the reference use. */
export const MASK_BIAS_VALUE = -10000;

const ONNX_FLOAT = 1;

/**
 * The attention mask turned once (host) into the additive bias every layer adds to its scores:
 * bias = (1 - float(mask)) * -10000, reshaped [B, S] -> [B, 1, 1, S] (broadcast over heads and
 * query rows). exp(-10000 + s) underflows to 0 in float32, so masked keys get no weight.
 */
export function buildMaskBias(e: NodeEmitter, mask: Value, shapes: ShapeTargets): Value {
  const m = e.at('mask', 'mask');
  const bs = [shapes.batch, shapes.sequence];
  const asFloat =
    mask.dtype === 'float32'
      ? mask
      : m.op('Cast', [mask], { attributes: { to: attr.int(ONNX_FLOAT) }, shape: bs });
  const inverted = m.op('Sub', [m.scalar('one', 1), asFloat], { shape: bs });
  const bias = m.op('Mul', [inverted, m.scalar('value', MASK_BIAS_VALUE)], { shape: bs });
  return m.op('Reshape', [bias, shapes.maskBias('mask_bias')], {
    output: 'mask/attention_bias',
    shape: [shapes.batch, 1, 1, shapes.sequence],
  });
}
