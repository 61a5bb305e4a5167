// Rule: fuse the erf GELU into one op.
//
//   y = x * 0.5 * (1 + Erf(x / sqrt(2)))      any association and operand order, x / sqrt2 or
//   -> y = Gelu(x)                              x * (1/sqrt2), Add(1, .) either order
//
// GELU(x) = x * Phi(x) = 0.5 x (1 + erf(x / sqrt 2)) exactly: com.microsoft Gelu (ONNX Runtime,
// any opset) or ai.onnx Gelu (opset 20). The product is flattened (product-factors.ts): two
// non-constant factors, x and 1 + erf(k x) with k ~ 1/sqrt2, times constants making 0.5.
import type { Rule, Value } from '@bert-neuron/graph-ir';
import { constantTolerance, near } from './constant-scalar.js';
import type { GeluTarget } from './gelu-node.js';
import { geluProductRule } from './gelu-product-rule.js';
import { flattenProduct } from './product-factors.js';

export const FUSE_GELU_ERF = 'fuse-gelu-erf';

/** Erf's argument must be x * k with k ~ 1/sqrt2 (x / sqrt2 or x * (1/sqrt2)). */
function erfArgument(arg: Value, x: Value) {
  const a = flattenProduct(arg);
  if (a.leaves.length !== 1 || a.leaves[0] !== x) return 'erf does not read the same x';
  if (!near(a.k, Math.SQRT1_2, constantTolerance(a.constants))) return 'the erf argument is not x / sqrt(2)';
  return a.nodes;
}

export function fuseGeluErfRule(target: GeluTarget): Rule {
  return geluProductRule({ name: FUSE_GELU_ERF, cdfOp: 'Erf', form: 'erf', argument: erfArgument }, target);
}
