import type { Model, Rule } from '@bert-neuron/graph-ir';
import { cancelCastPairRule } from '../rules/cancel-cast-pair.js';
import { cancelTransposePairRule } from '../rules/cancel-transpose-pair.js';
import { foldAttentionScaleRule } from '../rules/fold-attention-scale.js';
import { fuseGeluErfRule } from '../rules/fuse-gelu-erf.js';
import { fuseGeluTanhRule } from '../rules/fuse-gelu-tanh.js';
import { fuseLayerNormRule } from '../rules/fuse-layer-norm.js';
import { fuseLayerNormTfRule } from '../rules/fuse-layer-norm-tf.js';
import { defaultGeluTarget } from '../rules/gelu-node.js';
import { mergeReshapePairRule } from '../rules/merge-reshape-pair.js';
import { removeDropoutRule } from '../rules/remove-dropout.js';
import { removeNoopCastRule } from '../rules/remove-noop-cast.js';
import { removeNoopReshapeRule } from '../rules/remove-noop-reshape.js';
import { sharedMaskBiasRule } from '../rules/shared-mask-bias.js';
import type { NoModelRewriteOptions } from './no-model-options.js';

/**
 * The rules of the no-model path for this model and options, in the order they are tried at a
 * node: cleanup first (so the fusions see the plain forms), then mask, scale and fusions.
 */
export function noModelRules(model: Model, options: NoModelRewriteOptions = {}): Rule[] {
  const rules: Rule[] = [
    removeDropoutRule,
    removeNoopCastRule,
    cancelCastPairRule,
    removeNoopReshapeRule,
    mergeReshapePairRule,
    cancelTransposePairRule,
  ];
  if (options.maskBias !== false) rules.push(sharedMaskBiasRule);
  if (options.foldScale !== false) rules.push(foldAttentionScaleRule);
  if (options.fuseLayerNorm !== false) rules.push(fuseLayerNormRule, fuseLayerNormTfRule);
  const gelu = options.gelu ?? 'auto';
  if (gelu !== false) {
    const target = gelu === 'auto' ? defaultGeluTarget(model) : gelu;
    rules.push(fuseGeluErfRule(target), fuseGeluTanhRule(target));
  }
  return rules;
}
