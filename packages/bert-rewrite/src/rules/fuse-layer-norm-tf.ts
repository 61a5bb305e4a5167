// Rule: fuse TensorFlow's batch-normalization form of LayerNorm into one LayerNormalization.
//
//   mean = ReduceMean(x)   var = ReduceMean((x - mean) * (x - mean))      (or Pow 2)
//   m = Reciprocal(Sqrt(var + eps)) * gamma                              (or Pow(., -0.5), 1 / Sqrt)
//   y = x * m + (beta - mean * m)
//   -> y = LayerNormalization(x, gamma, beta, axis = -1, epsilon = eps)
//
// x * m - mean * m + beta = (x - mean) / sqrt(var + eps) * gamma + beta, LayerNorm over the last
// axis. google-research BERT (tf2onnx) and keras2onnx both emit this form (tf.nn.batch_normalization).
// gamma may be missing (m = the inverse standard deviation itself).
import {
  any,
  constant,
  isFloatType,
  type Node,
  op,
  type Rule,
  type Tensor,
  type Value,
} from '@bert-neuron/graph-ir';
import { isClosed } from './closed-subgraph.js';
import { layerNormName } from './fuse-layer-norm.js';
import { isLastAxisMean } from './last-axis-mean.js';
import { channelVector, emitLayerNorm, lastDim } from './layer-norm-node.js';
import { inverseStdDev } from './layer-norm-parts.js';
import { removeDeadNodes } from './remove-dead.js';

export const FUSE_LAYER_NORM_TF = 'fuse-layer-norm-tf';

interface Plan {
  readonly gamma: { value: Value; tensor: Tensor } | null;
  readonly beta: { value: Value; tensor: Tensor };
  readonly eps: number;
  readonly nodes: Node[];
}

function plan(root: Node, x: Value, m: Value, mean: Node, beta: Value, parts: Node[]): Plan | string {
  if (x.dtype === undefined || !isFloatType(x.dtype)) return 'the input is not a float tensor of known type';
  if (!isLastAxisMean(mean, x)) return 'the mean is not over the last axis';
  const betaTensor = channelVector(beta, x);
  if (betaTensor === undefined) return 'beta is not a per-channel constant';
  let gamma: Plan['gamma'] = null;
  let inv = m;
  const scaleNodes: Node[] = [];
  const mp = m.producer;
  if (mp !== null && mp.opType === 'Mul' && mp.domain === '') {
    for (const i of [0, 1]) {
      const c = mp.input(i);
      const t = c ? channelVector(c, x) : undefined;
      if (c && t && mp.input(1 - i)) {
        gamma = { value: c, tensor: t };
        inv = mp.input(1 - i)!;
        scaleNodes.push(mp);
        break;
      }
    }
  }
  const std = inverseStdDev(inv, x, mean.out);
  if (std === undefined) return 'the scale is not gamma / sqrt(var + eps)';
  if (gamma === null && lastDim(x) === undefined) return 'the normalized size is unknown';
  const nodes = [...new Set([root, ...parts, mean, ...scaleNodes, ...std.nodes])];
  if (!isClosed(nodes, root)) return 'an intermediate of the LayerNorm is read elsewhere';
  return { gamma, beta: { value: beta, tensor: betaTensor }, eps: std.eps, nodes };
}

export const fuseLayerNormTfRule: Rule = {
  name: FUSE_LAYER_NORM_TF,
  pattern: op(
    'Add',
    [
      op('Mul', [any('x'), any('m')], 'xm'),
      op(
        'Sub',
        [
          constant('beta'),
          op(
            'Mul',
            [op('ReduceMean', [any('x')], { capture: 'mean', extraInputs: true }), any('m')],
            'meanm',
          ),
        ],
        'shift',
      ),
    ],
    'root',
  ),
  check(match) {
    const p = plan(
      match.node('root'),
      match.value('x'),
      match.value('m'),
      match.node('mean'),
      match.value('beta'),
      [match.node('xm'), match.node('shift'), match.node('meanm')],
    );
    return typeof p === 'string' ? p : undefined;
  },
  rewrite(match, ctx) {
    const root = match.node('root');
    const x = match.value('x');
    const p = plan(root, x, match.value('m'), match.node('mean'), match.value('beta'), [
      match.node('xm'),
      match.node('shift'),
      match.node('meanm'),
    ]) as Plan;
    const y = emitLayerNorm(
      ctx.graph,
      { x, gamma: p.gamma, beta: p.beta, epsilon: p.eps },
      root,
      layerNormName(root),
    );
    ctx.graph.replaceAllUsesWith(root.out, y);
    removeDeadNodes(ctx.graph, p.nodes);
  },
};
