// Rule: fuse a multi-head self-attention into one ONNX Runtime contrib op.
//
//   q, k, v = x Wq + bq, x Wk + bk, x Wv + bv                     (Wq, bq already scaled by 1/sqrt(D))
//   ctx = merge(Softmax(split(q) split(k)^T + bias) split(v))      split: [.., A*D] -> [B, A, S, D]
//   -> ctx = Reshape(Attention(x3, [Wq|Wk|Wv], [bq|bk|bv], attention_bias = bias'), target)
//
// com.microsoft Attention computes exactly softmax(scale * Q K^T + attention_bias) V per head on
// the packed projection x [Wq|Wk|Wv] + [bq|bk|bv] (one GEMM instead of three), with scale = 1
// because the 1/sqrt(D) factor is already in Wq and bq. Its input is 3-D, so x [B*S, H] is viewed
// as x3 [B, S, H] (Reshape, free) and the [B, S, H] result viewed back with the merge's target.
// Its attention_bias broadcasts over batch and heads but not query rows, so the [B, 1, 1, S] mask
// bias is expanded once to [B, 1, S, S] and shared by every layer. When the projections are not
// plain dense layers with constant weights (int8 DynamicQuantizeMatMul, say), the projected q, k, v
// go to com.microsoft MultiHeadAttention instead (the same attention, projections left as they are).
import { any, attr, type Graph, type Node, op, type Rule, Tensor, type Value } from '@bert-neuron/graph-ir';
import { type AttentionBiasCache, biasForm, expandedAttentionBias } from './attention-bias.js';
import { type AttentionMatch, matchAttention, type ProjectionMatch } from './attention-match.js';
import { freshNodeName, tagLike } from './fused-node.js';

export const FUSE_ATTENTION = 'fuse-attention';

/** ctx.options key of the AttentionBiasCache shared by every fusion of a run. */
export const ATTENTION_BIAS_CACHE = 'attentionBiasCache';

/** ctx.options key: 'packed' (default) emits Attention when it can, 'separate' always MultiHeadAttention. */
export const ATTENTION_FORM = 'attentionForm';

/** The three dense projections when they read one x with same-typed constant weights, else null. */
function packable(m: AttentionMatch): NonNullable<ProjectionMatch['dense']>[] | null {
  const dense = [m.q.dense, m.k.dense, m.v.dense];
  if (dense.some((d) => d === null)) return null;
  const [q, k, v] = dense as NonNullable<ProjectionMatch['dense']>[];
  if (q!.x !== k!.x || q!.x !== v!.x) return null;
  const inSize = q!.kernel.dims[0];
  for (const d of [q!, k!, v!])
    if (d.kernel.dims[0] !== inSize || d.kernel.dtype !== q!.kernel.dtype) return null;
  return [q!, k!, v!];
}

/** Columns of [in, a] [in, b] [in, c] side by side: [in, a + b + c] (any element size). */
function concatColumns(kernels: readonly Tensor[]): Tensor {
  const rows = kernels[0]!.dims[0]!;
  const width = (t: Tensor) => t.bytes.byteLength / rows;
  const total = kernels.reduce((n, t) => n + width(t), 0);
  const out = new Uint8Array(rows * total);
  let col = 0;
  for (const t of kernels) {
    const w = width(t);
    const src = t.bytes;
    for (let r = 0; r < rows; r++) out.set(src.subarray(r * w, (r + 1) * w), r * total + col);
    col += w;
  }
  const cols = kernels.reduce((n, t) => n + t.dims[1]!, 0);
  return Tensor.fromBytes(kernels[0]!.dtype, [rows, cols], out);
}

function concatVectors(vectors: readonly Tensor[]): Tensor {
  const out = new Uint8Array(vectors.reduce((n, t) => n + t.bytes.byteLength, 0));
  let at = 0;
  for (const t of vectors) {
    out.set(t.bytes, at);
    at += t.bytes.byteLength;
  }
  return Tensor.fromBytes(vectors[0]!.dtype, [vectors.reduce((n, t) => n + t.size, 0)], out);
}

/** x viewed as [b, s, H] with the split's batch and sequence (one of them may be -1). */
function view3d(g: Graph, x: Value, p: ProjectionMatch, hidden: number, root: Node, base: string): Value {
  const [b, s] = p.target as [number, number];
  const target = g.addInitializer(g.uniqueName(`${base}/shape`), Tensor.int64([3], [b, s, hidden]));
  const batch = b > 0 ? b : ((x.shape?.length === 3 ? x.shape[0] : null) ?? null);
  const seq = s > 0 ? s : ((x.shape?.length === 3 ? x.shape[1] : null) ?? null);
  const n = g.addNode({
    opType: 'Reshape',
    name: freshNodeName(g, base),
    inputs: [x, target],
    outputs: [{ name: g.uniqueName(`${base}_out`), dtype: x.dtype, shape: [batch, seq, hidden] }],
    before: root,
  });
  tagLike(n, root);
  return n.out;
}

export const fuseAttentionRule: Rule = {
  name: FUSE_ATTENTION,
  pattern: op('Reshape', [op('Transpose', [op('MatMul', [op('Softmax'), any()])]), any()], 'root'),
  check(match) {
    const m = matchAttention(match.node('root'));
    if (typeof m === 'string') return m;
    if (m.bias !== null && biasForm(m.bias) === undefined)
      return 'the bias is not [B, 1, 1, S] or [B, 1, S, S]';
    return undefined;
  },
  rewrite(match, ctx) {
    const g = ctx.graph;
    const root = match.node('root');
    const m = matchAttention(root) as AttentionMatch;
    const cache = ctx.options[ATTENTION_BIAS_CACHE] as AttentionBiasCache;
    const hidden = m.heads * m.headSize;
    const base = freshNodeName(g, root.name ? root.name.replace(/\/[^/]*$/, '/Attention') : 'Attention');
    ctx.model.ensureOpset('com.microsoft', 1);
    const bias = m.bias === null ? null : expandedAttentionBias(g, m.bias, root, root, cache);
    const attributes = { num_heads: attr.int(m.heads), scale: attr.float(1) };
    const [b, s] = m.q.target as [number, number];
    const outShape = [b > 0 ? b : null, s > 0 ? s : null, hidden];
    const dense = ctx.options[ATTENTION_FORM] === 'separate' ? null : packable(m);
    let fused: Node;
    if (dense !== null) {
      const x3 = view3d(g, dense[0]!.x, m.q, hidden, root, `${base}/input`);
      const weights = g.addInitializer(
        g.uniqueName(`${base}/qkv_kernel`),
        concatColumns(dense.map((d) => d.kernel)),
      );
      const biases = g.addInitializer(
        g.uniqueName(`${base}/qkv_bias`),
        concatVectors(dense.map((d) => d.bias)),
      );
      fused = g.addNode({
        opType: 'Attention',
        domain: 'com.microsoft',
        name: base,
        inputs: bias === null ? [x3, weights, biases] : [x3, weights, biases, null, null, bias],
        attributes,
        outputs: [{ name: g.uniqueName(`${base}_out`), dtype: root.out.dtype, shape: outShape }],
        before: root,
      });
    } else {
      const [q3, k3, v3] = [m.q, m.k, m.v].map((p, i) =>
        view3d(g, p.projected, p, hidden, root, `${base}/${'qkv'[i]}`),
      );
      fused = g.addNode({
        opType: 'MultiHeadAttention',
        domain: 'com.microsoft',
        name: base,
        inputs: bias === null ? [q3!, k3!, v3!] : [q3!, k3!, v3!, null, null, bias],
        attributes,
        outputs: [{ name: g.uniqueName(`${base}_out`), dtype: root.out.dtype, shape: outShape }],
        before: root,
      });
    }
    tagLike(fused, root);
    const merged = g.addNode({
      opType: 'Reshape',
      name: freshNodeName(g, `${base}/output`),
      inputs: [fused.out, root.input(1)!],
      outputs: [
        {
          name: g.uniqueName(`${base}/output_out`),
          dtype: root.out.dtype,
          shape: root.out.shape ? [...root.out.shape] : undefined,
        },
      ],
      before: root,
    });
    tagLike(merged, root);
    g.replaceAllUsesWith(root.out, merged.out);
  },
};
