import type { Node, Value } from '@bert-neuron/graph-ir';
import { isConstant, scalarOf } from './constant-value.js';
import { type DenseMatch, matchDenseUp } from './dense-match.js';
import { NodeCollector } from './node-collector.js';
import { opChain } from './op-chain.js';
import { partialShape } from './partial-shape.js';
import { bothOrders, dataConsumers, sameData, stripUp } from './pass-through.js';

/** How the attention mask enters the scores before the Softmax. */
export type MaskForm = 'additive' | 'where' | 'none';

/** Multi-head self-attention of one layer, from the Q/K/V projections to the merged context. */
export interface AttentionMatch {
  readonly softmax: Node;
  /** The layer input the Q/K/V projections read. */
  readonly input: Value;
  readonly query: DenseMatch;
  readonly key: DenseMatch;
  readonly value: DenseMatch;
  readonly numHeads: number;
  readonly headSize: number;
  /**
   * The factor on q.k^T: the product of a Div/Mul on the scores and ones on the query heads
   * (DistilBERT scales q) and key heads (torch's SDPA export scales both by sqrt(scale)).
   * BERT's is 1/sqrt(headSize).
   */
  readonly scoreScale: number;
  /** The Div/Mul nodes that apply it (empty when the scale is folded into the weights). */
  readonly scaleNodes: readonly Node[];
  /** MatMul(q, k^T). */
  readonly scores: Node;
  /**
   * `additive`: Add(scores, bias) where bias comes from the mask; `where`: Where(cond, fill, scores)
   * (DistilBERT); `none`: no mask.
   */
  readonly maskForm: MaskForm;
  /** The additive bias or the Where condition; null without a mask. */
  readonly maskValue: Value | null;
  /** The Add or Where that applies the mask. */
  readonly maskNode: Node | null;
  /** The Where fill value (for `where`). */
  readonly maskFill: number | null;
  /** MatMul(probs, v). */
  readonly context: Node;
  /** The context with heads merged back: [..., hidden]. */
  readonly merged: Value;
  /** Attention nodes other than the Q/K/V dense nodes: head split/merge, scores, scale, mask Add, Softmax, context. */
  readonly nodes: readonly Node[];
}

export type MatchResult<T> =
  | { readonly ok: true; readonly match: T }
  | { readonly ok: false; readonly reason: string };

const fail = (reason: string): { ok: false; reason: string } => ({ ok: false, reason });

function isPerm(n: Node | null | undefined, perm: readonly number[]): boolean {
  if (n?.opType !== 'Transpose' || n.domain !== '') return false;
  const p = n.attrInts('perm', []);
  return p.length === perm.length && p.every((x, i) => x === perm[i]);
}

function prod(v: Value, c: NodeCollector): Node | null {
  const s = stripUp(v);
  c.addAll(s.nodes);
  return s.value.producer;
}

/** An optional Div/Mul by a constant on `v`: returns the inner value and the factor. */
function unscale(v: Value, c: NodeCollector): { inner: Value; scale: number; node: Node | null } {
  const cc = new NodeCollector();
  const p = prod(v, cc);
  if (p && p.domain === '' && (p.opType === 'Div' || p.opType === 'Mul')) {
    if (p.opType === 'Div') {
      const d = scalarOf(p.input(1));
      if (d !== undefined && d !== 0 && p.input(0) && !isConstant(p.input(0))) {
        c.addAll(cc.nodes).add(p).addConstant(p.input(1));
        return { inner: p.input(0)!, scale: 1 / d, node: p };
      }
    } else {
      for (const [a, b] of bothOrders(p)) {
        const m = scalarOf(b);
        if (m !== undefined && !isConstant(a)) {
          c.addAll(cc.nodes).add(p).addConstant(b);
          return { inner: a, scale: m, node: p };
        }
      }
    }
  }
  return { inner: v, scale: 1, node: null };
}

/** `Reshape(x, [.., heads, headSize])` behind v: returns x and the shape's last two entries. */
function splitHeads(v: Value, c: NodeCollector): { x: Value; heads: (number | null)[] } | undefined {
  const r = prod(v, c);
  if (r?.opType !== 'Reshape' || r.domain !== '' || !r.input(0)) return undefined;
  c.add(r).addConstant(r.input(1));
  const shape = partialShape(r.input(1));
  if (shape && shape.length < 3) return undefined;
  return { x: r.input(0)!, heads: shape ? shape.slice(-2) : [null, null] };
}

/** q or v heads: Transpose(Reshape(x), [0,2,1,3]). */
function headsOf(v: Value, c: NodeCollector): { x: Value; heads: (number | null)[] } | undefined {
  const t = prod(v, c);
  if (!isPerm(t, [0, 2, 1, 3]) || !t!.input(0)) return undefined;
  c.add(t);
  return splitHeads(t!.input(0)!, c);
}

/** k^T heads: Transpose(Reshape(x), [0,2,3,1]) or Transpose(Transpose(Reshape(x), [0,2,1,3]), [0,1,3,2]). */
function keyHeadsOf(v: Value, c: NodeCollector): { x: Value; heads: (number | null)[] } | undefined {
  const t = prod(v, c);
  if (!t?.input(0)) return undefined;
  if (isPerm(t, [0, 2, 3, 1])) return splitHeads(t.input(0)!, c.add(t));
  if (isPerm(t, [0, 1, 3, 2])) return headsOf(t.input(0)!, c.add(t));
  return undefined;
}

/** Whether a Softmax normalizes over the last axis of its rank-4 input. */
function softmaxOnLastAxis(n: Node, opset: number): boolean {
  const axis = n.attrInt('axis', opset >= 13 ? -1 : 1);
  return axis === -1 || axis === 3;
}

/** The heads count from the reshape constants, checked against the projection size. */
function resolveHeads(
  parts: (number | null)[][],
  size: number,
): { heads: number; headSize: number } | undefined {
  let heads: number | undefined;
  let headSize: number | undefined;
  for (const [a, d] of parts) {
    if (typeof a === 'number' && a > 0) heads ??= a;
    if (typeof d === 'number' && d > 0) headSize ??= d;
  }
  if (heads === undefined && headSize !== undefined) heads = size / headSize;
  if (headSize === undefined && heads !== undefined) headSize = size / heads;
  if (heads === undefined || headSize === undefined) return undefined;
  if (!Number.isInteger(heads) || heads * headSize !== size) return undefined;
  return { heads, headSize };
}

/**
 * The self-attention around a Softmax anchor. Accepted shape: Softmax over the last axis of
 * `MatMul(q_heads, k_heads^T)` scaled by a Div/Mul constant (or with the query/key heads scaled),
 * plus the mask bias (Add, either order), or `Where(cond, fill, scores)`, or no mask; q/v heads
 * `Transpose(Reshape(dense(x), [.., A, D]), [0,2,1,3])`, k^T heads with perm [0,2,3,1] (or two
 * Transposes); context `Reshape(Transpose(MatMul(probs, v_heads), [0,2,1,3]), [.., H])`. Casts,
 * Identity and inference Dropout may sit anywhere in between. Q, K and V must read the same x.
 */
export function matchAttention(softmax: Node, opset: number): MatchResult<AttentionMatch> {
  const where = softmax.describe();
  if (!softmaxOnLastAxis(softmax, opset)) return fail(`${where} is not over the last axis`);
  const c = new NodeCollector().add(softmax);
  const s = softmax.input(0);
  if (!s) return fail(`${where} has no input`);
  const p = prod(s, c);
  let scoresValue: Value = s;
  let maskForm: MaskForm = 'none';
  let maskValue: Value | null = null;
  let maskNode: Node | null = null;
  let maskFill: number | null = null;
  const isScores = (v: Value) => {
    const u = unscale(v, new NodeCollector());
    const m = stripUp(u.inner).value.producer;
    return m?.opType === 'MatMul' && m.domain === '' && !isConstant(m.input(0)) && !isConstant(m.input(1));
  };
  if (p?.opType === 'Add' && p.domain === '') {
    const pair = bothOrders(p).find(([a]) => isScores(a));
    if (!pair)
      return fail(
        `${where}: its input Add has no MatMul(q, k^T) operand (operands: ${opChain(p.input(0))}; ${opChain(p.input(1))})`,
      );
    [scoresValue, maskValue] = pair;
    maskForm = 'additive';
    maskNode = p;
  } else if (p?.opType === 'Where' && p.domain === '') {
    const [cond, x, y] = [p.input(0), p.input(1), p.input(2)];
    if (y && isScores(y) && scalarOf(x) !== undefined) {
      scoresValue = y;
      maskFill = scalarOf(x)!;
    } else if (x && isScores(x) && scalarOf(y) !== undefined) {
      scoresValue = x;
      maskFill = scalarOf(y)!;
    } else return fail(`${where}: its input Where does not select between scores and a constant`);
    maskForm = 'where';
    maskValue = cond;
    maskNode = p;
    c.addConstant(maskFill === scalarOf(x) ? x : y);
  } else if (!isScores(s)) {
    return fail(`${where}: its input is not MatMul(q, k^T) (scaled) plus a mask bias (found ${opChain(s)})`);
  }
  c.add(maskNode);
  const scaleNodes: Node[] = [];
  const scaled = unscale(scoresValue, c);
  if (scaled.node) scaleNodes.push(scaled.node);
  const scores = prod(scaled.inner, c)!;
  c.add(scores);
  const qScaled = unscale(scores.input(0)!, c);
  if (qScaled.node) scaleNodes.push(qScaled.node);
  const qh = headsOf(qScaled.inner, c);
  if (!qh) return fail(`${where}: the query heads are not Transpose(Reshape(q), [0,2,1,3])`);
  // torch's scaled_dot_product_attention export scales q and k^T by sqrt(scale) each
  const kScaled = unscale(scores.input(1)!, c);
  if (kScaled.node) scaleNodes.push(kScaled.node);
  const kh = keyHeadsOf(kScaled.inner, c);
  if (!kh) return fail(`${where}: the key heads are not Transpose(Reshape(k), [0,2,3,1])`);
  const ctxUse = dataConsumers(softmax.outputs[0]!).filter(
    (u) => u.node.opType === 'MatMul' && u.index === 0,
  );
  if (ctxUse.length !== 1)
    return fail(`${where}: no single MatMul(probs, v) reads the attention probabilities`);
  const context = ctxUse[0]!.node;
  c.addAll(ctxUse[0]!.via).add(context);
  const vh = headsOf(context.input(1)!, c);
  if (!vh) return fail(`${where}: the value heads are not Transpose(Reshape(v), [0,2,1,3])`);
  const tUse = dataConsumers(context.outputs[0]!);
  const t = tUse.length === 1 ? tUse[0]! : undefined;
  if (!t || !isPerm(t.node, [0, 2, 1, 3]))
    return fail(`${where}: the context is not transposed back with [0,2,1,3]`);
  c.addAll(t.via).add(t.node);
  const rUse = dataConsumers(t.node.outputs[0]!);
  const r = rUse.length === 1 ? rUse[0]! : undefined;
  if (r?.node.opType !== 'Reshape' || r.index !== 0)
    return fail(`${where}: the context heads are not merged by a Reshape`);
  c.addAll(r.via).add(r.node).addConstant(r.node.input(1));
  const query = matchDenseUp(qh.x);
  const key = matchDenseUp(kh.x);
  const value = matchDenseUp(vh.x);
  if (!query || !key || !value) {
    const which = [!query && 'query', !key && 'key', !value && 'value'].filter(Boolean).join(', ');
    return fail(`${where}: the ${which} projection is not a dense layer (MatMul + bias)`);
  }
  if (!sameData(query.input, key.input) || !sameData(query.input, value.input))
    return fail(`${where}: the query, key and value projections do not read the same input`);
  const size = query.outSize;
  if (key.outSize !== size || value.outSize !== size || query.inSize !== size)
    return fail(
      `${where}: projection sizes differ (query ${query.inSize}x${query.outSize}, key ${key.outSize}, value ${value.outSize}); pruned attention is not supported`,
    );
  const heads = resolveHeads([qh.heads, kh.heads, vh.heads], size);
  if (!heads) return fail(`${where}: the head count cannot be read from the head-split Reshape shapes`);
  return {
    ok: true,
    match: {
      softmax,
      input: query.input,
      query,
      key,
      value,
      numHeads: heads.heads,
      headSize: heads.headSize,
      scoreScale: scaled.scale * qScaled.scale * kScaled.scale,
      scaleNodes,
      scores,
      maskForm,
      maskValue,
      maskNode,
      maskFill,
      context,
      merged: r.node.outputs[0]!,
      nodes: c.nodes,
    },
  };
}
