// Rule: fuse the tanh approximation of GELU into one op.
//
//   y = 0.5 * x * (1 + Tanh(sqrt(2/pi) * (x + 0.044715 * x^3)))     x^3 as Pow(x, 3) or x * x * x,
//   -> y = FastGelu(x)                                                any association and order
//
// This is the formula com.microsoft FastGelu (ONNX Runtime, any opset) and ai.onnx Gelu with
// approximate = 'tanh' (opset 20) compute; google-research BERT and transformers' gelu_new use it.
import { isFloatType, type Node, op, type Rule, type Value } from '@bert-neuron/graph-ir';
import { isClosed } from './closed-subgraph.js';
import { constantTolerance, isScalarNear, near } from './constant-scalar.js';
import { onePlus } from './fuse-gelu-erf.js';
import { emitGelu, type GeluTarget } from './gelu-node.js';
import { flattenProduct, isInnerFactor } from './product-factors.js';
import { removeDeadNodes } from './remove-dead.js';

export const FUSE_GELU_TANH = 'fuse-gelu-tanh';

const TANH_SCALE = Math.sqrt(2 / Math.PI);
const CUBIC = 0.044715;

/** `x + 0.044715 * x^3` behind u (Add either order): its nodes. */
function cubicTerm(u: Value, x: Value): Node[] | undefined {
  const add = u.producer;
  if (add === null || add.opType !== 'Add' || add.domain !== '') return undefined;
  for (const i of [0, 1]) {
    if (add.input(i) !== x) continue;
    const t = flattenProduct(add.input(1 - i)!);
    if (!near(t.k, CUBIC, constantTolerance(t.constants))) continue;
    if (t.leaves.length === 3 && t.leaves.every((l) => l === x)) return [add, ...t.nodes];
    const pow = t.leaves.length === 1 ? t.leaves[0]!.producer : null;
    if (
      pow &&
      pow.opType === 'Pow' &&
      pow.domain === '' &&
      pow.input(0) === x &&
      isScalarNear(pow.input(1), 3)
    )
      return [add, ...t.nodes, pow];
  }
  return undefined;
}

interface Plan {
  readonly x: Value;
  readonly nodes: Node[];
}

function plan(root: Node): Plan | string {
  const prod = flattenProduct(root.out);
  if (prod.leaves.length !== 2) return 'the product has other factors than x and 1 + tanh';
  for (const i of [0, 1]) {
    const x = prod.leaves[1 - i]!;
    const cdf = onePlus(prod.leaves[i]!, 'Tanh');
    if (cdf === undefined) continue;
    if (x.dtype !== undefined && !isFloatType(x.dtype)) return 'the input is not a float tensor';
    const arg = flattenProduct(cdf.f.input(0)!);
    if (arg.leaves.length !== 1 || !near(arg.k, TANH_SCALE, constantTolerance(arg.constants)))
      return 'the tanh argument is not sqrt(2/pi) * (..)';
    const cubic = cubicTerm(arg.leaves[0]!, x);
    if (cubic === undefined) return 'the tanh argument is not sqrt(2/pi) * (x + 0.044715 x^3)';
    if (!near(prod.k, 0.5, constantTolerance(prod.constants))) return 'the constant factor is not 0.5';
    const nodes = [...new Set([root, ...prod.nodes, cdf.add, cdf.f, ...arg.nodes, ...cubic])];
    if (!isClosed(nodes, root)) return 'an intermediate of the GELU is read elsewhere';
    return { x, nodes };
  }
  return 'the product has no 1 + tanh factor';
}

function looksLikeGelu(root: Node): boolean {
  if (isInnerFactor(root)) return false;
  return flattenProduct(root.outputs[0]!).leaves.some((l) => onePlus(l, 'Tanh') !== undefined);
}

export function fuseGeluTanhRule(target: GeluTarget): Rule {
  return {
    name: FUSE_GELU_TANH,
    pattern: op('Mul', undefined, { capture: 'root', where: looksLikeGelu }),
    check(match) {
      const p = plan(match.node('root'));
      return typeof p === 'string' ? p : undefined;
    },
    rewrite(match, ctx) {
      const root = match.node('root');
      const p = plan(root) as Plan;
      const y = emitGelu(ctx.model, ctx.graph, p.x, 'tanh', target, root, root.out);
      ctx.graph.replaceAllUsesWith(root.out, y);
      removeDeadNodes(ctx.graph, p.nodes);
    },
  };
}
