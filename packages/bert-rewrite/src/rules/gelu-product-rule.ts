// The shared shape of the decomposed GELU forms: y = 0.5 * x * (1 + f(arg)), with f Erf or Tanh.
// The product is flattened (product-factors.ts) so any association and operand order matches:
// two non-constant factors, x and `1 + f(arg)`, times constants making 0.5. Each form's rule file
// says what `arg` must be and checks it.
import { isFloatType, type Node, op, type Rule, type Value } from '@bert-neuron/graph-ir';
import { isClosed } from './closed-subgraph.js';
import { constantTolerance, isScalarNear, near } from './constant-scalar.js';
import { emitGelu, type GeluTarget } from './gelu-node.js';
import { flattenProduct, isInnerFactor } from './product-factors.js';
import { removeDeadNodes } from './remove-dead.js';

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

export interface GeluProductForm {
  /** The rule's name. */
  readonly name: string;
  /** The op inside `1 + f(arg)`. */
  readonly cdfOp: 'Erf' | 'Tanh';
  /** The GELU form the fused op computes. */
  readonly form: 'erf' | 'tanh';
  /** Check f's argument against x: the nodes computing it, or the reason it is not this form. */
  readonly argument: (arg: Value, x: Value) => Node[] | string;
}

interface Plan {
  readonly x: Value;
  readonly nodes: Node[];
}

function plan(root: Node, form: GeluProductForm): Plan | string {
  const f = form.cdfOp.toLowerCase();
  const prod = flattenProduct(root.out);
  if (prod.leaves.length !== 2) return `the product has other factors than x and 1 + ${f}`;
  for (const i of [0, 1]) {
    const x = prod.leaves[1 - i]!;
    const cdf = onePlus(prod.leaves[i]!, form.cdfOp);
    if (cdf === undefined) continue;
    if (x.dtype !== undefined && !isFloatType(x.dtype)) return 'the input is not a float tensor';
    const argNodes = form.argument(cdf.f.input(0)!, x);
    if (typeof argNodes === 'string') return argNodes;
    if (!near(prod.k, 0.5, constantTolerance(prod.constants))) return 'the constant factor is not 0.5';
    const nodes = [...new Set([root, ...prod.nodes, cdf.add, cdf.f, ...argNodes])];
    if (!isClosed(nodes, root)) return 'an intermediate of the GELU is read elsewhere';
    return { x, nodes };
  }
  return `the product has no 1 + ${f} factor`;
}

/** A rule replacing the decomposed GELU of `form` by one GELU op for `target`. */
export function geluProductRule(form: GeluProductForm, target: GeluTarget): Rule {
  // Cheap pre-filter: an outermost product with a `1 + f` factor.
  const looksLikeGelu = (root: Node) =>
    !isInnerFactor(root) &&
    flattenProduct(root.outputs[0]!).leaves.some((l) => onePlus(l, form.cdfOp) !== undefined);
  return {
    name: form.name,
    pattern: op('Mul', undefined, { capture: 'root', where: looksLikeGelu }),
    check(match) {
      const p = plan(match.node('root'), form);
      return typeof p === 'string' ? p : undefined;
    },
    rewrite(match, ctx) {
      const root = match.node('root');
      const p = plan(root, form) as Plan;
      const y = emitGelu(ctx.model, ctx.graph, p.x, form.form, target, root, root.out);
      ctx.graph.replaceAllUsesWith(root.out, y);
      removeDeadNodes(ctx.graph, p.nodes);
    },
  };
}
