import type { Dim, Model, Node } from '@bert-neuron/graph-ir';

const PRODUCTS = new Set([
  'MatMul',
  'Gemm',
  'FusedMatMul',
  'DynamicQuantizeMatMul',
  'MatMulInteger',
  'MatMulIntegerToFloat',
]);

function staticDims(shape: readonly Dim[] | undefined | null): number[] | undefined {
  return shape?.every((d): d is number => typeof d === 'number') ? (shape as number[]) : undefined;
}

const product = (dims: readonly number[]): number => dims.reduce((a, b) => a * b, 1);

/** 2 * M * N * K of a matrix product node, or undefined when a shape is unknown. */
function productFlops(n: Node): number | undefined {
  const a = staticDims(n.input(0)?.shape);
  const out = staticDims(n.output(0)?.shape);
  if (a === undefined || out === undefined || a.length === 0) return undefined;
  let k: number;
  if (n.opType === 'Gemm') k = n.attrInt('transA', 0) === 1 ? a[0]! : a[1]!;
  else if (a.length === 1) k = a[0]!;
  else k = n.opType === 'FusedMatMul' && n.attrInt('transA', 0) === 1 ? a[a.length - 2]! : a[a.length - 1]!;
  return 2 * product(out) * k;
}

/**
 * com.microsoft Attention: the packed projection x [B, S, In] x W [In, Wq + Wk + Wv], then
 * Q K^T and P V: 2 B S In W + 2 B S S Wk + 2 B S S Wv. MultiHeadAttention: q [B, S, H] with
 * k, v [B, L, H]: 2 B S L H twice.
 */
function attentionFlops(n: Node): number | undefined {
  if (n.opType === 'Attention') {
    const x = staticDims(n.input(0)?.shape);
    const w = staticDims(n.input(1)?.shape);
    if (x === undefined || w === undefined || x.length !== 3 || w.length !== 2) return undefined;
    const [b, s, inSize] = x as [number, number, number];
    const sizes = n.attributes.has('qkv_hidden_sizes')
      ? n.attrInts('qkv_hidden_sizes')
      : [w[1]! / 3, w[1]! / 3, w[1]! / 3];
    return 2 * b * s * inSize * w[1]! + 2 * b * s * s * sizes[1]! + 2 * b * s * s * sizes[2]!;
  }
  const q = staticDims(n.input(0)?.shape);
  const k = staticDims(n.input(1)?.shape);
  if (q === undefined || k === undefined || q.length !== 3 || k.length !== 3) return undefined;
  return 4 * q[0]! * q[1]! * k[1]! * q[2]!;
}

/** Matrix-product FLOPs of a model whose shapes are static, and the products left uncounted. */
export function countProductFlops(model: Model): { readonly flops: number; readonly unresolved: number } {
  let flops = 0;
  let unresolved = 0;
  for (const n of model.graph.nodes) {
    let f: number | undefined;
    if ((n.domain === '' || n.domain === 'com.microsoft') && PRODUCTS.has(n.opType)) f = productFlops(n);
    else if (n.domain === 'com.microsoft' && (n.opType === 'Attention' || n.opType === 'MultiHeadAttention'))
      f = attentionFlops(n);
    else continue;
    if (f === undefined) unresolved++;
    else flops += f;
  }
  return { flops, unresolved };
}
