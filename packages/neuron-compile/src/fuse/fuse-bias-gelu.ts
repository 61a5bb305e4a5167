// Rule: fold the dense bias into the fused GELU that follows it.
//
//   y = Gelu(x W + b)       ->  y = BiasGelu(x W, b)       (erf GELU, com.microsoft)
//   y = FastGelu(x W + b)   ->  y = FastGelu(x W, b)       (tanh approximation, bias input)
//
// Both compute gelu(input + bias) with the bias broadcast over the last axis, in one pass over the
// [tokens, intermediate] activations (the largest of the layer) instead of two. The erf and tanh
// chains were fused into Gelu / FastGelu first (bert-rewrite's fuse-gelu-erf / fuse-gelu-tanh).
import { constant, op, type Rule, type Value } from '@bert-neuron/graph-ir';
import { freshNodeName, tagLike } from './fused-node.js';

export const FUSE_BIAS_GELU = 'fuse-bias-gelu';

const oneUse = (v: Value | null): boolean => v !== null && v.uses.length === 1 && !v.isGraphOutput;

export const fuseBiasGeluRule: Rule = {
  name: FUSE_BIAS_GELU,
  pattern: op(
    ['Gelu', 'FastGelu'],
    [op('Add', [op('MatMul', undefined, 'matmul'), constant('bias')], { capture: 'add', oneUse: true })],
    { capture: 'gelu', domain: 'com.microsoft' },
  ),
  check(match) {
    const mm = match.node('matmul').out;
    const bias = match.constant('bias');
    const last = mm.shape?.at(-1);
    if (!oneUse(mm)) return 'the product is read elsewhere';
    if (bias.rank !== 1 || typeof last !== 'number' || bias.dims[0] !== last)
      return 'the bias is not a vector of the last dim';
    if (bias.dtype !== mm.dtype) return 'the bias and the product differ in type';
    return undefined;
  },
  rewrite(match, ctx) {
    const g = ctx.graph;
    const gelu = match.node('gelu');
    const opType = gelu.opType === 'Gelu' ? 'BiasGelu' : 'FastGelu';
    const name = freshNodeName(g, gelu.name ? `${gelu.name}/${opType}` : opType);
    const fused = g.addNode({
      opType,
      domain: 'com.microsoft',
      name,
      inputs: [match.node('matmul').out, match.value('bias')],
      outputs: [
        {
          name: g.uniqueName(`${name}_out`),
          dtype: gelu.out.dtype,
          shape: gelu.out.shape ? [...gelu.out.shape] : undefined,
        },
      ],
      before: gelu,
    });
    tagLike(fused, gelu);
    g.replaceAllUsesWith(gelu.out, fused.out);
  },
};
