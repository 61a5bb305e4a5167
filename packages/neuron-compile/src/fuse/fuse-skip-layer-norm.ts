// Rule: fuse a residual add, the dense bias before it, and the LayerNorm after it.
//
//   y = LayerNorm(x W + b + skip)   ->  y = SkipLayerNormalization(x W, skip, gamma, beta, b)
//   y = LayerNorm(a + skip)         ->  y = SkipLayerNormalization(a, skip, gamma, beta)
//
// com.microsoft SkipLayerNormalization computes LayerNorm(input + skip + bias) over the last axis
// with epsilon, statistics in float32: one pass over the activations instead of three ops (Add,
// Add, LayerNormalization). The bias is folded in only when it is a constant vector added to a
// MatMul read nowhere else.
import { attr, type Node, op, type Rule, type Tensor, type Value } from '@bert-neuron/graph-ir';
import { freshNodeName, tagLike } from './fused-node.js';

export const FUSE_SKIP_LAYER_NORM = 'fuse-skip-layer-norm';

const oneUse = (v: Value | null): boolean => v !== null && v.uses.length === 1 && !v.isGraphOutput;

const sameShape = (a: Value, b: Value): boolean =>
  a.shape !== undefined &&
  b.shape !== undefined &&
  a.shape.length === b.shape.length &&
  a.shape.every((d, i) => d !== null && d === b.shape![i]);

interface Plan {
  readonly input: Value;
  readonly skip: Value;
  readonly bias: Value | null;
}

/** `m + b` with m a MatMul read only here and b a constant vector of the last dim: m and b. */
function biasedMatMul(v: Value, hidden: number): { matmul: Value; bias: Value } | undefined {
  const add = v.producer;
  if (add === null || add.opType !== 'Add' || add.domain !== '' || !oneUse(v)) return undefined;
  for (const i of [0, 1]) {
    const m = add.input(i);
    const b = add.input(1 - i);
    const t: Tensor | undefined = b?.constant;
    const p = m?.producer;
    if (m === null || b === null || t === undefined || p === null || p === undefined) continue;
    if (p.opType !== 'MatMul' || p.domain !== '' || !oneUse(m)) continue;
    if (t.rank !== 1 || t.dims[0] !== hidden || t.dtype !== m.dtype || !sameShape(m, v)) continue;
    return { matmul: m, bias: b };
  }
  return undefined;
}

function plan(ln: Node): Plan | string {
  const axis = ln.attrInt('axis', -1);
  const add = ln.input(0)?.producer;
  if (add === null || add === undefined || add.opType !== 'Add' || add.domain !== '')
    return 'the LayerNorm does not read an Add';
  if (!oneUse(ln.input(0))) return 'the residual sum is read elsewhere';
  const [a, b] = [add.input(0), add.input(1)];
  if (a === null || b === null || !sameShape(a, b)) return 'the residual operands differ in shape';
  const rank = a.shape!.length;
  if (axis !== -1 && axis !== rank - 1) return 'the LayerNorm is not over the last axis';
  if (rank !== 2 && rank !== 3) return 'the residual is not 2-D or 3-D';
  const hidden = a.shape![rank - 1] as number;
  const gamma = ln.input(1)?.constant;
  const beta = ln.input(2)?.constant;
  if (gamma === undefined || beta === undefined || gamma.size !== hidden || beta.size !== hidden)
    return 'gamma and beta are not constant vectors';
  const dtype = ln.out.dtype;
  if ((dtype !== 'float32' && dtype !== 'float16') || a.dtype !== dtype || b.dtype !== dtype)
    return 'the LayerNorm is not float32 or float16 throughout';
  if (ln.outputs.slice(1).some((o) => o !== null && !o.isUnused)) return 'the LayerNorm statistics are read';
  for (const [input, skip] of [
    [a, b],
    [b, a],
  ] as const) {
    const dense = biasedMatMul(input, hidden);
    if (dense !== undefined) return { input: dense.matmul, skip, bias: dense.bias };
  }
  return { input: a, skip: b, bias: null };
}

export const fuseSkipLayerNormRule: Rule = {
  name: FUSE_SKIP_LAYER_NORM,
  pattern: op('LayerNormalization', undefined, 'ln'),
  check(match) {
    const p = plan(match.node('ln'));
    return typeof p === 'string' ? p : undefined;
  },
  rewrite(match, ctx) {
    const g = ctx.graph;
    const ln = match.node('ln');
    const p = plan(ln) as Plan;
    ctx.model.ensureOpset('com.microsoft', 1);
    const base = freshNodeName(g, ln.name ? ln.name.replace(/\/[^/]*$/, '/SkipLayerNorm') : 'SkipLayerNorm');
    const inputs = [p.input, p.skip, ln.input(1)!, ln.input(2)!, ...(p.bias ? [p.bias] : [])];
    const fused = g.addNode({
      opType: 'SkipLayerNormalization',
      domain: 'com.microsoft',
      name: base,
      inputs,
      attributes: { epsilon: attr.float(ln.attrFloat('epsilon', 1e-5)) },
      outputs: [
        {
          name: g.uniqueName(`${base}_out`),
          dtype: ln.out.dtype,
          shape: ln.out.shape ? [...ln.out.shape] : undefined,
        },
      ],
      before: ln,
    });
    tagLike(fused, ln);
    g.replaceAllUsesWith(ln.out, fused.out);
  },
};
