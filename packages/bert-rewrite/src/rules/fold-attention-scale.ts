// Rule: fold the attention score scale into the query projection.
//
//   Softmax(Div(MatMul(q, k^T), c) + mask)  ->  Softmax(MatMul(q', k^T) + mask)
//   q = chain(x W_q + b_q)   q' = chain(x (W_q / c) + b_q / c)
//
// MatMul is linear in each operand and every op of the projection chain (Reshape, Transpose, float
// Cast, the bias Add) is linear in W_q and b_q, so (q k^T) / c = (q / c) k^T = q' k^T. The same
// holds for Mul by 1/c, and for the scale applied to q or k before the MatMul (DistilBERT divides
// q). The key projection takes the factor when the query one cannot. New initializers hold the
// scaled constants (the originals may be shared), the Div/Mul disappears. This is the reference
// compiler's "1/sqrt(head) folded into the query weights".
import { type Graph, type Node, op, type Rule, Tensor, type Value } from '@bert-neuron/graph-ir';
import { type ConstantSite, projectionSites } from './projection-chain.js';
import { canBypass, hasSingleDataUse, isComputed } from './value-uses.js';

export const FOLD_ATTENTION_SCALE = 'fold-attention-scale';

/** The scale node's operand and factor: Div(t, c) gives 1/c, Mul(t, c) or Mul(c, t) gives c. */
function scaleOf(n: Node): { t: Value; c: number; divide: boolean } | undefined {
  const a = n.input(0);
  const b = n.input(1);
  if (a === null || b === null || n.inputs.length !== 2) return undefined;
  const one = (v: Value) => {
    const t = v.constant;
    return t !== undefined && t.size === 1 && t.dtype !== 'string' ? t.getNumber(0) : undefined;
  };
  const cb = one(b);
  if (n.opType === 'Div')
    return cb !== undefined && cb !== 0 && isComputed(a) ? { t: a, c: cb, divide: true } : undefined;
  if (cb !== undefined && isComputed(a)) return { t: a, c: cb, divide: false };
  const ca = one(a);
  if (ca !== undefined && isComputed(b)) return { t: b, c: ca, divide: false };
  return undefined;
}

const isScoresMatMul = (n: Node | null): boolean =>
  n !== null && n.opType === 'MatMul' && n.domain === '' && isComputed(n.input(0)) && isComputed(n.input(1));

/** Whether `v` flows into a Softmax within a few Add/Cast/Where/Div/Mul nodes. */
function reachesSoftmax(v: Value, depth = 0): boolean {
  if (depth > 3) return false;
  return v.uses.some(({ node }) => {
    if (node.domain !== '') return false;
    if (node.opType === 'Softmax') return true;
    if (!['Add', 'Cast', 'Where', 'Div', 'Mul'].includes(node.opType)) return false;
    return node.outputs.some((o) => o !== null && reachesSoftmax(o, depth + 1));
  });
}

/** The scores MatMul a scaled operand feeds, through layout ops. */
function scoresFed(v: Value, depth = 0): Node | undefined {
  if (depth > 3) return undefined;
  for (const { node } of v.uses) {
    if (isScoresMatMul(node)) return node;
    if (node.domain === '' && ['Transpose', 'Reshape', 'Cast'].includes(node.opType) && node.outputs[0])
      return scoresFed(node.outputs[0], depth + 1);
  }
  return undefined;
}

type Site = { kind: 'scores'; scores: Node } | { kind: 'operand'; scores: Node };

/** Where a Div/Mul by a constant sits in an attention: on the scores, or on q/k before them. */
function attentionSite(n: Node): Site | undefined {
  const s = scaleOf(n);
  if (s === undefined) return undefined;
  const p = s.t.producer;
  if (p !== null && isScoresMatMul(p) && reachesSoftmax(n.out)) return { kind: 'scores', scores: p };
  const scores = scoresFed(n.out);
  if (scores !== undefined && reachesSoftmax(scores.outputs[0]!)) return { kind: 'operand', scores };
  return undefined;
}

/** The projection constants to scale (query side first), or why none can take the factor. */
function plan(n: Node): ConstantSite[] | string {
  const site = attentionSite(n)!;
  const s = scaleOf(n)!;
  if (site.kind === 'operand') return projectionSites(s.t);
  const scores = site.scores.outputs[0]!;
  if (!hasSingleDataUse(scores)) return 'the unscaled scores are read elsewhere';
  const q = projectionSites(site.scores.input(0)!);
  if (typeof q !== 'string') return q;
  const k = projectionSites(site.scores.input(1)!);
  return typeof k === 'string' ? q : k;
}

function scaleConstant(graph: Graph, site: ConstantSite, factor: (x: number) => number): void {
  const v = site.node.input(site.index)!;
  const t = v.constant!;
  const values = t.toNumbers().map(factor);
  const scaled = graph.addInitializer(
    graph.uniqueName(`${v.name}_scaled`),
    Tensor.fromNumbers(t.dtype, t.dims, values),
  );
  site.node.setInput(site.index, scaled);
}

export const foldAttentionScaleRule: Rule = {
  name: FOLD_ATTENTION_SCALE,
  pattern: op(['Div', 'Mul'], undefined, { capture: 'scale', where: (n) => attentionSite(n) !== undefined }),
  check(match) {
    const n = match.node('scale');
    const sites = plan(n);
    if (typeof sites === 'string') return sites;
    if (!canBypass(n.out, scaleOf(n)!.t)) return 'the scaled scores are a graph output';
    return undefined;
  },
  rewrite(match, ctx) {
    const n = match.node('scale');
    const s = scaleOf(n)!;
    const sites = plan(n) as ConstantSite[];
    const factor = s.divide ? (x: number) => x / s.c : (x: number) => x * s.c;
    for (const site of sites) scaleConstant(ctx.graph, site, factor);
    ctx.graph.replaceAllUsesWith(n.out, s.t);
  },
};
