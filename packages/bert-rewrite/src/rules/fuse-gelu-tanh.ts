// Rule: fuse the tanh approximation of GELU into one op.
//
//   y = 0.5 * x * (1 + Tanh(sqrt(2/pi) * (x + 0.044715 * x^3)))     x^3 as Pow(x, 3) or x * x * x,
//   -> y = FastGelu(x)                                                any association and order
//
// This is the formula com.microsoft FastGelu (ONNX Runtime, any opset) and ai.onnx Gelu with
// approximate = 'tanh' (opset 20) compute; google-research BERT and transformers' gelu_new use it.
import type { Node, Rule, Value } from '@bert-neuron/graph-ir';
import { constantTolerance, isScalarNear, near } from './constant-scalar.js';
import type { GeluTarget } from './gelu-node.js';
import { geluProductRule } from './gelu-product-rule.js';
import { flattenProduct } from './product-factors.js';

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

/** Tanh's argument must be sqrt(2/pi) * (x + 0.044715 x^3). */
function tanhArgument(arg: Value, x: Value) {
  const a = flattenProduct(arg);
  if (a.leaves.length !== 1 || !near(a.k, TANH_SCALE, constantTolerance(a.constants)))
    return 'the tanh argument is not sqrt(2/pi) * (..)';
  const cubic = cubicTerm(a.leaves[0]!, x);
  if (cubic === undefined) return 'the tanh argument is not sqrt(2/pi) * (x + 0.044715 x^3)';
  return [...a.nodes, ...cubic];
}

export function fuseGeluTanhRule(target: GeluTarget): Rule {
  return geluProductRule(
    { name: FUSE_GELU_TANH, cdfOp: 'Tanh', form: 'tanh', argument: tanhArgument },
    target,
  );
}
