// Pass: compute the last encoder layer for the first token only, when nothing else reads it.
//
//   pooled = h[:, 0]  with  h = Layer(x) [B*S, H]
//   -> pooled = Layer'(x)[:, 0]: the per-token ops of the layer (dense layers, GELU, LayerNorm,
//      residual adds, casts) on the B first-token rows only, and the attention with the first
//      token's query against every key and value (com.microsoft MultiHeadAttention, query [B, 1, H]).
//
// Selecting rows commutes with every per-token op (f(h)[r] = f(h[r]) for a row-wise f), and the
// attention of query row r needs that row's query and all keys and values: softmax(q_r K^T + m) V.
// So when the task head reads only the first token (the pooler: sequence classification, next
// sentence, encoder without the sequence output), the last layer's query projection, attention
// output, and feed-forward run on B rows instead of B*S: about 10/12 of one layer's products. The
// result is the same function (no approximation); the unused full-width work is removed.
import { attr, type Graph, type Model, type Node, Tensor, type Value } from '@bert-neuron/graph-ir';
import { type AttentionMatch, matchAttention } from './attention-match.js';
import { freshNodeName, tagLike } from './fused-node.js';

export const PRUNE_TO_FIRST_TOKEN = 'prune-to-first-token';

/** What the pass did. */
export interface PruneToFirstTokenResult {
  readonly pruned: boolean;
  /** Nodes recomputed on the first-token rows (0 when not pruned). */
  readonly selectedNodes: number;
  /** Why nothing was pruned (null when pruned). */
  readonly reason: string | null;
}

/** Ops that act on each row of a [tokens, C] tensor independently (constants broadcast over rows). */
const ROW_WISE = new Set([
  'Add',
  'Sub',
  'Mul',
  'Div',
  'Pow',
  'Erf',
  'Tanh',
  'Sigmoid',
  'Relu',
  'Sqrt',
  'Neg',
  'Cast',
  'Identity',
  'Clip',
  'MatMul',
  'LayerNormalization',
]);
const ROW_WISE_CONTRIB = new Set(['Gelu', 'FastGelu', 'BiasGelu', 'QuickGelu', 'DynamicQuantizeMatMul']);

const isConstant = (v: Value | null): boolean => v === null || v.constant !== undefined;

/** The first-token selection: Gather(Reshape(h, [b, s, H]), 0, axis 1) with h [tokens, H] read only there. */
function findSelection(g: Graph): { gather: Node; h: Value; target: readonly number[] } | string {
  for (const n of g.nodes) {
    if (n.opType !== 'Gather' || n.domain !== '' || n.attrInt('axis', 0) !== 1) continue;
    const index = n.input(1)?.constant;
    if (index === undefined || index.size !== 1 || index.getNumber(0) !== 0 || index.rank !== 0) continue;
    const reshape = n.input(0)?.producer;
    if (reshape?.opType !== 'Reshape' || reshape.domain !== '') continue;
    const target = reshape.input(1)?.constant;
    const h = reshape.input(0)!;
    if (target === undefined || target.size !== 3) continue;
    if (reshape.out.uses.length !== 1 || reshape.out.isGraphOutput)
      return 'the sequence output is read besides the first token';
    if (h.uses.length !== 1 || h.isGraphOutput)
      return 'the last hidden states are read besides the first token';
    if (h.shape?.length !== 2) return 'the last hidden states are not [tokens, hidden]';
    return { gather: n, h, target: target.toNumbers() };
  }
  return 'no head reads the first token only';
}

/** The per-token nodes whose outputs are needed at the first token only, and the attention roots among them. */
function mark(g: Graph, h: Value): { selected: Set<Node>; attentions: Map<Node, AttentionMatch> } {
  const selected = new Set<Node>();
  const attentions = new Map<Node, AttentionMatch>();
  /** Values whose every reader is a selected node (or the query side of a selected attention). */
  const firstOnly = new Set<Value>([h]);
  /** Nodes inside selected attentions (not selected themselves) and the Q reshapes among them. */
  const absorbed = new Set<Node>();
  const queryReads = new Set<Node>();
  const tokens = h.shape![0];
  const rowAligned = (v: Value): boolean => v.shape?.length === 2 && v.shape[0] === tokens;
  const isFirstOnly = (v: Value): boolean =>
    firstOnly.has(v) ||
    (!v.isGraphOutput &&
      v.uses.length > 0 &&
      v.uses.every((u) => selected.has(u.node) || queryReads.has(u.node)));
  const nodes = g.nodes;
  for (let i = nodes.length - 1; i >= 0; i--) {
    const n = nodes[i]!;
    if (absorbed.has(n)) continue;
    const outs = n.outputs.filter((o): o is Value => o !== null);
    if (outs.length !== 1 || !isFirstOnly(outs[0]!) || !rowAligned(outs[0]!)) continue;
    if (n.opType === 'Reshape' && n.domain === '') {
      const m = matchAttention(n);
      if (typeof m === 'string' || !rowAligned(m.q.projected) || !rowAligned(m.k.projected)) continue;
      attentions.set(n, m);
      selected.add(n);
      for (const x of m.nodes) if (x !== n) absorbed.add(x);
      queryReads.add(m.q.reshape);
      continue;
    }
    const rowWise =
      n.domain === ''
        ? ROW_WISE.has(n.opType)
        : n.domain === 'com.microsoft' && ROW_WISE_CONTRIB.has(n.opType);
    if (!rowWise) continue;
    if (n.opType === 'LayerNormalization' && n.attrInt('axis', -1) !== -1) continue;
    const data = n.opType === 'MatMul' || n.opType === 'DynamicQuantizeMatMul' ? [n.input(0)] : n.inputs;
    if (n.opType === 'MatMul' && !isConstant(n.input(1))) continue;
    if (n.opType === 'DynamicQuantizeMatMul' && !n.inputs.slice(1).every(isConstant)) continue;
    const ok = data.every((v) => v === null || (isConstant(v) ? (v.shape?.length ?? 0) <= 1 : rowAligned(v)));
    if (!ok) continue;
    selected.add(n);
  }
  return { selected, attentions };
}

/** Rows [b, 0] of a [tokens, C] value: Gather(Reshape(v, [b, s, C]), 0, axis 1). */
function firstRows(g: Graph, v: Value, bs: readonly number[], before: Node, like: Node): Value {
  const c = v.shape![1]!;
  const base = freshNodeName(g, `${v.producer?.name || v.name}/first_token`);
  const target = g.addInitializer(
    g.uniqueName(`${base}/shape`),
    Tensor.int64([3], [bs[0]!, bs[1]!, c as number]),
  );
  const reshape = g.addNode({
    opType: 'Reshape',
    name: `${base}/Reshape`,
    inputs: [v, target],
    outputs: [
      {
        name: g.uniqueName(`${base}/sequence`),
        dtype: v.dtype,
        shape: [bs[0]! > 0 ? bs[0]! : null, null, c],
      },
    ],
    before,
  });
  const index = g.addInitializer(g.uniqueName(`${base}/index`), Tensor.int64([], [0]));
  const gather = g.addNode({
    opType: 'Gather',
    name: `${base}/Gather`,
    inputs: [reshape.out, index],
    attributes: { axis: attr.int(1) },
    outputs: [{ name: g.uniqueName(`${base}_out`), dtype: v.dtype, shape: [bs[0]! > 0 ? bs[0]! : null, c] }],
    before,
  });
  tagLike(reshape, like);
  tagLike(gather, like);
  return gather.out;
}

/**
 * Run the pass on a device partition (canonical attention, before fuse-attention): the last
 * layer recomputed for the first-token rows when the head reads only them. Dead full-width nodes
 * are left for dead code elimination.
 */
export function pruneToFirstToken(model: Model): PruneToFirstTokenResult {
  const g = model.graph;
  const sel = findSelection(g);
  if (typeof sel === 'string') return { pruned: false, selectedNodes: 0, reason: sel };
  const { selected, attentions } = mark(g, sel.h);
  if (attentions.size === 0)
    return { pruned: false, selectedNodes: 0, reason: 'no attention feeds the first token' };
  const bs = sel.target.slice(0, 2);
  const batch = bs[0]!;
  const map = new Map<Value, Value>();
  const names = new Set(g.nodes.map((n) => n.name));
  const mapped = (v: Value | null, before: Node, like: Node): Value | null => {
    if (v === null || v.constant !== undefined) return v;
    const known = map.get(v);
    if (known !== undefined) return known;
    const rows = firstRows(g, v, bs, before, like);
    map.set(v, rows);
    return rows;
  };
  const rowShape = (v: Value) => [batch > 0 ? batch : null, v.shape![1]!];
  for (const n of g.nodes.filter((x) => selected.has(x))) {
    const out = n.outputs[0]!;
    const m = attentions.get(n);
    if (m !== undefined) {
      model.ensureOpset('com.microsoft', 1);
      const hidden = m.heads * m.headSize;
      const base = freshNodeName(g, `${n.name || 'attention'}/first_token_attention`, names);
      const view = (v: Value, s: number, tag: string): Value => {
        const t = g.addInitializer(
          g.uniqueName(`${base}/${tag}_shape`),
          Tensor.int64([3], [bs[0]!, s, hidden]),
        );
        const r = g.addNode({
          opType: 'Reshape',
          name: `${base}/${tag}`,
          inputs: [v, t],
          outputs: [
            {
              name: g.uniqueName(`${base}/${tag}_out`),
              dtype: v.dtype,
              shape: [batch > 0 ? batch : null, s > 0 ? s : null, hidden],
            },
          ],
          before: n,
        });
        tagLike(r, n);
        return r.out;
      };
      const q = view(mapped(m.q.projected, n, n)!, 1, 'query');
      const k = view(m.k.projected, bs[1]!, 'key');
      const v = view(m.v.projected, bs[1]!, 'value');
      const mha = g.addNode({
        opType: 'MultiHeadAttention',
        domain: 'com.microsoft',
        name: base,
        inputs: m.bias === null ? [q, k, v] : [q, k, v, null, null, m.bias],
        attributes: { num_heads: attr.int(m.heads), scale: attr.float(1) },
        outputs: [
          {
            name: g.uniqueName(`${base}_out`),
            dtype: out.dtype,
            shape: [batch > 0 ? batch : null, 1, hidden],
          },
        ],
        before: n,
      });
      tagLike(mha, n);
      const flat = g.addInitializer(
        g.uniqueName(`${base}/rows_shape`),
        Tensor.int64([2], [batch > 0 ? batch : -1, hidden]),
      );
      const rows = g.addNode({
        opType: 'Reshape',
        name: `${base}/rows`,
        inputs: [mha.out, flat],
        outputs: [{ name: g.uniqueName(`${base}/rows_out`), dtype: out.dtype, shape: rowShape(out) }],
        before: n,
      });
      tagLike(rows, n);
      map.set(out, rows.out);
      continue;
    }
    const copy = g.addNode({
      opType: n.opType,
      domain: n.domain,
      name: freshNodeName(g, `${n.name || n.opType}/first_token`, names),
      inputs: n.inputs.map((v) => mapped(v, n, n)),
      attributes: n.attributes,
      outputs: [{ name: g.uniqueName(`${out.name}/first_token`), dtype: out.dtype, shape: rowShape(out) }],
      metadata: Object.fromEntries(n.metadata),
      before: n,
    });
    map.set(out, copy.out);
  }
  const first = map.get(sel.h);
  if (first === undefined)
    return { pruned: false, selectedNodes: 0, reason: 'the last hidden states could not be selected' };
  g.replaceAllUsesWith(sel.gather.out, first);
  return { pruned: true, selectedNodes: selected.size, reason: null };
}
