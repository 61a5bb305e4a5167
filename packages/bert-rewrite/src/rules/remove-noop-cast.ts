// Rule: remove a Cast to the type its input already has.
//
//   Cast(x, to = T) -> x        when x has element type T
//
// Cast to the same type returns its input unchanged (exporters leave them around masks and
// shape arithmetic). The element type of x must be known (shape inference runs first).
import { any, op, type Rule } from '@bert-neuron/graph-ir';
import { castTarget } from './cast-target.js';
import { canBypass } from './value-uses.js';

export const REMOVE_NOOP_CAST = 'remove-noop-cast';

export const removeNoopCastRule: Rule = {
  name: REMOVE_NOOP_CAST,
  pattern: op('Cast', [any('x', (v) => v.dtype !== undefined)], {
    capture: 'cast',
    where: (n) => n.input(0)?.dtype !== undefined && castTarget(n) === n.input(0)?.dtype,
  }),
  check(match) {
    const cast = match.node('cast');
    if (!canBypass(cast.out, match.value('x')))
      return 'the cast output is a graph output fed by a graph input';
    return undefined;
  },
  rewrite(match, ctx) {
    ctx.graph.replaceAllUsesWith(match.node('cast').out, match.value('x'));
  },
};
