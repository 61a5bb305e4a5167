// Rule: compose two Transposes.
//
//   Transpose(Transpose(x, p1), p2) -> x                   when p1[p2[i]] = i for every i
//   Transpose(Transpose(x, p1), p2) -> Transpose(x, p)     with p[i] = p1[p2[i]] otherwise
//
// Output dim i of the outer Transpose is dim p2[i] of the inner result, which is dim p1[p2[i]]
// of x; when that is i everywhere the pair is the identity. The composed form is used only when
// the inner Transpose has no other reader (else it would stay and nothing is saved). Both perms
// must be explicit (the default reverses the dims, which needs the rank).
import { any, attr, type Node, op, type Rule } from '@bert-neuron/graph-ir';
import { uniqueNodeName } from './node-name.js';
import { canBypass } from './value-uses.js';

export const CANCEL_TRANSPOSE_PAIR = 'cancel-transpose-pair';

function perm(n: Node | null | undefined): number[] | undefined {
  const a = n?.attributes.get('perm');
  return a?.type === 'ints' ? a.value.map(Number) : undefined;
}

/** The composed permutation, when both perms are explicit and of the same rank. */
function composed(outer: Node): number[] | undefined {
  const inner = outer.input(0)?.producer;
  const p1 = perm(inner);
  const p2 = perm(outer);
  if (p1 === undefined || p2 === undefined || p1.length !== p2.length) return undefined;
  return p2.map((i) => p1[i]!);
}

const isIdentity = (p: readonly number[]): boolean => p.every((x, i) => x === i);

export const cancelTransposePairRule: Rule = {
  name: CANCEL_TRANSPOSE_PAIR,
  pattern: op('Transpose', [op('Transpose', [any('x')], 'inner')], {
    capture: 'outer',
    where: (n) => {
      const p = composed(n);
      if (p === undefined) return false;
      const innerOut = n.input(0)!;
      return isIdentity(p) || (innerOut.uses.length === 1 && !innerOut.isGraphOutput);
    },
  }),
  check(match) {
    const p = composed(match.node('outer'))!;
    if (isIdentity(p) && !canBypass(match.node('outer').out, match.value('x')))
      return 'the transpose output is a graph output fed by a graph input';
    return undefined;
  },
  rewrite(match, ctx) {
    const outer = match.node('outer');
    const p = composed(outer)!;
    if (isIdentity(p)) {
      ctx.graph.replaceAllUsesWith(outer.out, match.value('x'));
      return;
    }
    const t = ctx.graph.addNode({
      opType: 'Transpose',
      name: uniqueNodeName(ctx.graph, outer.name),
      inputs: [match.value('x')],
      attributes: { perm: attr.ints(p) },
      outputs: [ctx.graph.uniqueName(`${outer.out.name}__composed`)],
      before: outer,
    });
    t.out.dtype = outer.out.dtype;
    t.out.shape = outer.out.shape ? [...outer.out.shape] : undefined;
    ctx.graph.replaceAllUsesWith(outer.out, t.out);
  },
};
