// Rule: fuse the aggressive (sigmoid) GELU into one op.
//
//   y = x * Sigmoid(1.702 * x)   ->  y = QuickGelu(x, alpha = 1.702)
//
// com.microsoft QuickGelu computes x * sigmoid(alpha * x): the reference's aggressive GELU in one
// pass over the activations instead of three ops (Mul, Sigmoid, Mul).
import { any, attr, op, type Rule, scalar } from '@bert-neuron/graph-ir';
import { freshNodeName, tagLike } from './fused-node.js';

export const FUSE_QUICK_GELU = 'fuse-quick-gelu';

/** The aggressive GELU's scale (bert-rewrite's SIGMOID_GELU_SCALE). */
const ALPHA = 1.702;

export const fuseQuickGeluRule: Rule = {
  name: FUSE_QUICK_GELU,
  pattern: op(
    'Mul',
    [
      any('x'),
      op(
        'Sigmoid',
        [op('Mul', [any('x'), scalar(ALPHA, 'alpha', 1e-3)], { capture: 'scale', oneUse: true })],
        { capture: 'sigmoid', oneUse: true },
      ),
    ],
    'root',
  ),
  check(match) {
    const x = match.value('x');
    if (x.dtype !== 'float32' && x.dtype !== 'float16') return 'x is not float32 or float16';
    return undefined;
  },
  rewrite(match, ctx) {
    const g = ctx.graph;
    const root = match.node('root');
    ctx.model.ensureOpset('com.microsoft', 1);
    const name = freshNodeName(g, root.name ? root.name.replace(/\/[^/]*$/, '/QuickGelu') : 'QuickGelu');
    const alpha = match.constant('alpha').getNumber(0);
    const fused = g.addNode({
      opType: 'QuickGelu',
      domain: 'com.microsoft',
      name,
      inputs: [match.value('x')],
      attributes: { alpha: attr.float(alpha) },
      outputs: [
        {
          name: g.uniqueName(`${name}_out`),
          dtype: root.out.dtype,
          shape: root.out.shape ? [...root.out.shape] : undefined,
        },
      ],
      before: root,
    });
    tagLike(fused, root);
    g.replaceAllUsesWith(root.out, fused.out);
  },
};
