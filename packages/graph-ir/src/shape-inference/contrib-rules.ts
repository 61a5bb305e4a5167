import type { Dim } from '../value.js';
import type { InferContext, InferRule, OutputInfo } from './infer-context.js';
import { matmulRule, matmulShape } from './nn-rules.js';

const likeInput: InferRule = (ctx) => [{ dtype: ctx.dtype(0), shape: ctx.shape(0) }];

const div = (a: Dim, b: number): Dim => (typeof a === 'number' && a % b === 0 ? a / b : null);

/** com.microsoft Attention: output [B, S, v_hidden]; present [2, B, heads, past + S, head_size]. */
function attention(ctx: InferContext): OutputInfo[] {
  const x = ctx.shape(0);
  const w = ctx.shape(1);
  const dtype = ctx.dtype(0);
  const heads = ctx.node.attrInt('num_heads');
  const qkv = ctx.node.attributes.has('qkv_hidden_sizes') ? ctx.node.attrInts('qkv_hidden_sizes') : undefined;
  let vHidden: Dim = null;
  if (qkv) vHidden = qkv[2]!;
  else if (w && w.length === 2) vHidden = div(w[1]!, 3);
  if (x === undefined) return [{ dtype }, { dtype }];
  if (x.length !== 3) ctx.fail(`input must be [batch, sequence, hidden], got rank ${x.length}`);
  const out: OutputInfo = { dtype, shape: [x[0]!, x[1]!, vHidden] };
  const past = ctx.shape(4);
  const head = vHidden === null ? null : div(vHidden, heads);
  const total =
    past === undefined
      ? ctx.has(4)
        ? null
        : x[1]!
      : typeof past[3] === 'number' && typeof x[1] === 'number'
        ? past[3] + x[1]
        : null;
  return [out, { dtype, shape: [2, x[0]!, heads, total, head] }];
}

/** com.microsoft MultiHeadAttention (packed and unpacked forms): output [B, S, v_hidden]. */
function multiHeadAttention(ctx: InferContext): OutputInfo[] {
  const q = ctx.shape(0);
  const v = ctx.shape(2);
  const dtype = ctx.dtype(0);
  if (q === undefined || q.length !== 3) return [{ dtype }];
  let vHidden: Dim = q[2]!;
  if (v?.length === 3) vHidden = v[2]!;
  else if (v?.length === 4)
    vHidden = typeof v[1] === 'number' && typeof v[3] === 'number' ? v[1] * v[3] : null;
  else if (!ctx.has(1) && !ctx.has(2)) vHidden = null; // packed QKV in the query input
  return [{ dtype, shape: [q[0]!, q[1]!, vHidden] }];
}

/** SkipLayerNormalization: output like input; mean and inv_std_var [.., 1] in float32; input_skip_bias_sum like input. */
function skipLayerNorm(ctx: InferContext): OutputInfo[] {
  const x = ctx.shape(0);
  const stats: OutputInfo = { dtype: 'float32', shape: x && [...x.slice(0, -1), 1] };
  return [{ dtype: ctx.dtype(0), shape: x }, stats, stats, { dtype: ctx.dtype(0), shape: x }];
}

/** EmbedLayerNormalization: [B, S, H] in the word embedding's type, mask_index int32 [B], embedding_sum [B, S, H]. */
function embedLayerNorm(ctx: InferContext): OutputInfo[] {
  const ids = ctx.shape(0);
  const word = ctx.shape(2);
  const dtype = ctx.dtype(2);
  const hidden = word?.[1] ?? null;
  const shape = ids && ids.length === 2 ? [ids[0]!, ids[1]!, hidden] : undefined;
  return [
    { dtype, shape },
    { dtype: 'int32', shape: ids && [ids[0]!] },
    { dtype, shape },
  ];
}

function fusedMatMul(ctx: InferContext): OutputInfo[] {
  const ta = ctx.node.attrInt('transA', 0) === 1;
  const tb = ctx.node.attrInt('transB', 0) === 1;
  return [{ dtype: ctx.dtype(0), shape: matmulShape(ctx, ctx.shape(0), ctx.shape(1), ta, tb) }];
}

/** Shape rules of the com.microsoft ops found in ORT-optimized BERT graphs. */
export const contribRules: Record<string, InferRule> = {
  Attention: attention,
  MultiHeadAttention: multiHeadAttention,
  SkipLayerNormalization: skipLayerNorm,
  SkipSimplifiedLayerNormalization: skipLayerNorm,
  EmbedLayerNormalization: embedLayerNorm,
  LayerNormalization: (ctx) => {
    const x = ctx.shape(0);
    const axis = ctx.node.attrInt('axis', -1);
    const stats: OutputInfo = {
      dtype: 'float32',
      shape: x?.map((d, i) => (i < (axis < 0 ? axis + x.length : axis) ? d : 1)),
    };
    return [{ dtype: ctx.dtype(0), shape: x }, stats, stats];
  },
  SimplifiedLayerNormalization: likeInput,
  BiasGelu: likeInput,
  FastGelu: likeInput,
  Gelu: likeInput,
  QuickGelu: likeInput,
  BiasAdd: likeInput,
  FusedMatMul: fusedMatMul,
  DynamicQuantizeMatMul: matmulRule(),
  MatMulIntegerToFloat: matmulRule((ctx) => ctx.dtype(2)),
  MatMulInteger16: matmulRule('int32'),
};
