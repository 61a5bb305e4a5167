// Rule: remove a Reshape to the shape its input already has.
//
//   Reshape(x, s) -> x        when s names x's own dims
//
// With x of rank r, a constant s of length r is the identity when each entry is 0 (copy the dim,
// allowzero = 0), equals x's (static) dim, or is the one -1 (then, all other dims being equal and
// the element count fixed, it resolves to x's dim). Symbolic dims of x work with 0 and -1 entries,
// so this fires on dynamic shapes too. `Reshape(x, Shape(x))` is the identity as well.
import { any, op, type Rule, type Tensor, type Value } from '@bert-neuron/graph-ir';
import { canBypass } from './value-uses.js';

export const REMOVE_NOOP_RESHAPE = 'remove-noop-reshape';

function isOwnShape(x: Value, shape: Value, allowZero: boolean): boolean {
  const p = shape.producer;
  if (
    p !== null &&
    p.opType === 'Shape' &&
    p.domain === '' &&
    p.input(0) === x &&
    !p.attributes.has('start') &&
    !p.attributes.has('end')
  )
    return true;
  const s: Tensor | undefined = shape.constant;
  const dims = x.shape;
  if (s === undefined || dims === undefined || s.rank !== 1 || s.size !== dims.length) return false;
  let minusOne = 0;
  return s.toNumbers().every((e, i) => {
    if (e === 0 && !allowZero) return true;
    if (e === -1) return ++minusOne === 1;
    return dims[i] === e;
  });
}

export const removeNoopReshapeRule: Rule = {
  name: REMOVE_NOOP_RESHAPE,
  pattern: op('Reshape', [any('x'), any('shape')], {
    capture: 'reshape',
    where: (n) => {
      const [x, s] = [n.input(0), n.input(1)];
      return x !== null && s !== null && isOwnShape(x, s, n.attrInt('allowzero', 0) === 1);
    },
  }),
  check(match) {
    if (!canBypass(match.node('reshape').out, match.value('x')))
      return 'the reshape output is a graph output fed by a graph input';
    return undefined;
  },
  rewrite(match, ctx) {
    ctx.graph.replaceAllUsesWith(match.node('reshape').out, match.value('x'));
  },
};
