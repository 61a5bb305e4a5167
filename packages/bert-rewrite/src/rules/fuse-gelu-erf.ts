// Rule: fuse the erf GELU into one op.
//
//   y = x * 0.5 * (1 + Erf(x / sqrt(2)))      any association and operand order, x / sqrt2 or
//   -> y = Gelu(x)                              x * (1/sqrt2), Add(1, .) either order
//
// GELU(x) = x * Phi(x) = 0.5 x (1 + erf(x / sqrt 2)) exactly: com.microsoft Gelu (ONNX Runtime,
// any opset) or ai.onnx Gelu (opset 20). The product is flattened (product-factors.ts): two
// non-constant factors, x and 1 + erf(k x) with k ~ 1/sqrt2, times constants making 0.5.
import { isFloatType, type Node, op, type Rule, type Value } from '@bert-neuron/graph-ir';
import { isClosed } from './closed-subgraph.js';
import { constantTolerance, isScalarNear, near } from './constant-scalar.js';
import { emitGelu, type GeluTarget } from './gelu-node.js';
import { flattenProduct, isInnerFactor } from './product-factors.js';
import { removeDeadNodes } from './remove-dead.js';

export const FUSE_GELU_ERF = 'fuse-gelu-erf';

/** `Add(1, f(.))` (either order) where f is `opType`: the Add and the f node. */
export function onePlus(v: Value, opType: string): { add: Node; f: Node } | undefined {
  const add = v.producer;
  if (add === null || add.opType !== 'Add' || add.domain !== '') return undefined;
  for (const i of [0, 1]) {
    const f = add.input(1 - i)?.producer;
    if (isScalarNear(add.input(i), 1) && f && f.opType === opType && f.domain === '') return { add, f };
  }
  return undefined;
}

interface Plan {
  readonly x: Value;
  readonly nodes: Node[];
}

function plan(root: Node): Plan | string {
  const prod = flattenProduct(root.out);
  if (prod.leaves.length !== 2) return 'the product has other factors than x and 1 + erf';
  for (const i of [0, 1]) {
    const x = prod.leaves[1 - i]!;
    const cdf = onePlus(prod.leaves[i]!, 'Erf');
    if (cdf === undefined) continue;
    if (x.dtype !== undefined && !isFloatType(x.dtype)) return 'the input is not a float tensor';
    const arg = flattenProduct(cdf.f.input(0)!);
    if (arg.leaves.length !== 1 || arg.leaves[0] !== x) return 'erf does not read the same x';
    if (!near(arg.k, Math.SQRT1_2, constantTolerance(arg.constants)))
      return 'the erf argument is not x / sqrt(2)';
    if (!near(prod.k, 0.5, constantTolerance(prod.constants))) return 'the constant factor is not 0.5';
    const nodes = [...new Set([root, ...prod.nodes, cdf.add, cdf.f, ...arg.nodes])];
    if (!isClosed(nodes, root)) return 'an intermediate of the GELU is read elsewhere';
    return { x, nodes };
  }
  return 'the product has no 1 + erf factor';
}

/** Cheap pre-filter: an outermost product with a `1 + Erf` factor. */
function looksLikeGelu(root: Node): boolean {
  if (isInnerFactor(root)) return false;
  return flattenProduct(root.outputs[0]!).leaves.some((l) => onePlus(l, 'Erf') !== undefined);
}

export function fuseGeluErfRule(target: GeluTarget): Rule {
  return {
    name: FUSE_GELU_ERF,
    pattern: op('Mul', undefined, { capture: 'root', where: looksLikeGelu }),
    check(match) {
      const p = plan(match.node('root'));
      return typeof p === 'string' ? p : undefined;
    },
    rewrite(match, ctx) {
      const root = match.node('root');
      const p = plan(root) as Plan;
      const y = emitGelu(ctx.model, ctx.graph, p.x, 'erf', target, root, root.out);
      ctx.graph.replaceAllUsesWith(root.out, y);
      removeDeadNodes(ctx.graph, p.nodes);
    },
  };
}
