// Rule: merge two Reshapes.
//
//   Reshape(Reshape(x, s1), s2) -> Reshape(x, s2)
//
// A Reshape keeps the elements in row-major order and only changes the dims, so the second one
// sees the same element sequence as x: the result is x with dims s2. The -1 entry of s2 resolves
// to the same size either way (the element count does not change). A 0 entry of s2 (with
// allowzero = 0) copies a dim of the *intermediate* tensor, which x may not have, so s2 must be a
// constant without zeros (or allowzero = 1). The inner Reshape must have no other reader.
import { any, attr, op, type Rule } from '@bert-neuron/graph-ir';
import { uniqueNodeName } from './node-name.js';

export const MERGE_RESHAPE_PAIR = 'merge-reshape-pair';

export const mergeReshapePairRule: Rule = {
  name: MERGE_RESHAPE_PAIR,
  pattern: op(
    'Reshape',
    [op('Reshape', [any('x'), any()], { capture: 'inner', oneUse: true }), any('shape')],
    'outer',
  ),
  check(match) {
    const outer = match.node('outer');
    if (outer.attrInt('allowzero', 0) === 1) return undefined;
    const s = match.value('shape').constant;
    if (s === undefined) return 'the outer shape is computed at run time (it may copy dims with 0)';
    if (s.toNumbers().includes(0)) return 'the outer shape copies dims of the intermediate (0 entries)';
    return undefined;
  },
  rewrite(match, ctx) {
    const outer = match.node('outer');
    const merged = ctx.graph.addNode({
      opType: 'Reshape',
      name: uniqueNodeName(ctx.graph, outer.name),
      inputs: [match.value('x'), match.value('shape')],
      attributes: outer.attributes.has('allowzero')
        ? { allowzero: attr.int(outer.attrInt('allowzero')) }
        : {},
      outputs: [ctx.graph.uniqueName(`${outer.out.name}__merged`)],
      before: outer,
    });
    merged.out.dtype = outer.out.dtype;
    merged.out.shape = outer.out.shape ? [...outer.out.shape] : undefined;
    ctx.graph.replaceAllUsesWith(outer.out, merged.out);
  },
};
