// Rule: fuse torch's decomposed LayerNorm into one LayerNormalization.
//
//   d = x - ReduceMean(x)             (the centering may be written twice, bert_toy)
//   n = d / Sqrt(ReduceMean(d^2) + eps)      d^2 as Pow(d, 2) or Mul(d, d)
//   y = n * gamma + beta              (gamma and beta optional, operands in either order)
//   -> y = LayerNormalization(x, gamma, beta, axis = -1, epsilon = eps)
//
// This is LayerNormalization's definition over the last axis (means over axis -1 with keepdims).
// Missing gamma becomes ones [H]. The node is ai.onnx LayerNormalization (opset 17); ONNX Runtime
// also runs it at opsets 11 to 16 (its contrib kernel is registered in the default domain), which
// the numeric tests check. The fused kernel computes in float32 (stash_type 1) also for float16.
import { any, constant, isFloatType, type Node, op, type Rule, type Value } from '@bert-neuron/graph-ir';
import { isClosed } from './closed-subgraph.js';
import { isLastAxisMean } from './last-axis-mean.js';
import { type Affine, affineAfter } from './layer-norm-affine.js';
import { emitLayerNorm, lastDim } from './layer-norm-node.js';
import { variancePlusEps } from './layer-norm-parts.js';
import { removeDeadNodes } from './remove-dead.js';

export const FUSE_LAYER_NORM = 'fuse-layer-norm';

interface Plan {
  readonly affine: Affine;
  readonly eps: number;
  readonly nodes: Node[];
}

function plan(div: Node, x: Value, mean: Node): Plan | string {
  if (x.dtype === undefined || !isFloatType(x.dtype)) return 'the input is not a float tensor of known type';
  if (!isLastAxisMean(mean, x)) return 'the mean is not over the last axis';
  const centered = div.input(0)!.producer!;
  const std = div.input(1)!.producer!;
  const inner = variancePlusEps(std.input(0), x, mean.out);
  if (inner === undefined) return 'the denominator is not sqrt(mean((x - mean)^2) + eps)';
  const nodes = [...new Set([div, centered, mean, std, ...inner.nodes])];
  if (!isClosed(nodes, div)) return 'an intermediate of the LayerNorm is read elsewhere';
  const affine = affineAfter(div.out, x);
  if (affine.gamma === null && lastDim(x) === undefined) return 'the normalized size is unknown';
  return { affine, eps: inner.eps, nodes };
}

export const fuseLayerNormRule: Rule = {
  name: FUSE_LAYER_NORM,
  pattern: op(
    'Div',
    [
      op('Sub', [any('x'), op('ReduceMean', [any('x')], { capture: 'mean', extraInputs: true })], 'centered'),
      op('Sqrt', [op('Add', [any(), constant()])], 'std'),
    ],
    'div',
  ),
  check(match) {
    const p = plan(match.node('div'), match.value('x'), match.node('mean'));
    return typeof p === 'string' ? p : undefined;
  },
  rewrite(match, ctx) {
    const div = match.node('div');
    const x = match.value('x');
    const p = plan(div, x, match.node('mean')) as Plan;
    const { affine } = p;
    const last = affine.output.producer!;
    const y = emitLayerNorm(
      ctx.graph,
      { x, gamma: affine.gamma, beta: affine.beta, epsilon: p.eps },
      last,
      layerNormName(last),
    );
    ctx.graph.replaceAllUsesWith(affine.output, y);
    removeDeadNodes(ctx.graph, [last, ...(affine.gamma ? [affine.gamma.node] : []), ...p.nodes]);
  },
};

/** A node name for the fused LayerNorm, from the replaced node's. */
export function layerNormName(replaced: Node): string {
  return replaced.name ? `${replaced.name}/LayerNormalization` : 'LayerNormalization';
}
