import {
  bindInputDims,
  type Dim,
  GraphIrError,
  type Model,
  type Node,
  readModel,
  specializeShapes,
  writeModel,
} from '@bert-neuron/graph-ir';
import { BertRewriteError } from '../errors.js';
import { regionOf } from '../regions.js';

export interface CountFlopsOptions {
  /** Batch to specialize symbolic batch dims to (default: the model's static batch, else 1). */
  readonly batch?: number;
  /** Sequence length to specialize symbolic sequence dims to (required unless static). */
  readonly sequence?: number;
}

/** FLOPs of one sequence, read from the graph at a batch and sequence length. */
export interface FlopCount {
  readonly batch: number;
  readonly sequence: number;
  /** Matrix products (MatMul, Gemm, DynamicQuantizeMatMul, FusedMatMul, MatMulInteger): 2 * M * N * K each, per sequence. */
  readonly matmulPerSequence: number;
  /** Elementwise and normalization work (see ELEMENTWISE_FLOPS), per sequence; a separate, rougher figure. */
  readonly elementwisePerSequence: number;
  /** Product FLOPs per sequence by op type. */
  readonly byOp: Record<string, number>;
  /** Product FLOPs per sequence by region ('untagged' for nodes without one). */
  readonly byRegion: Record<string, number>;
  /** Products whose shapes stayed unknown after specialization (not counted), by node. */
  readonly unresolved: readonly string[];
}

/**
 * FLOPs per output element of the elementwise and normalization ops: 1 for arithmetic and
 * activations, 4 for Softmax (subtract max, exp, sum, divide), 8 for a LayerNorm (mean, subtract,
 * square, mean, rsqrt, scale, shift) and the fused GELUs.
 */
export const ELEMENTWISE_FLOPS: Readonly<Record<string, number>> = {
  Add: 1,
  Sub: 1,
  Mul: 1,
  Div: 1,
  Pow: 1,
  Sqrt: 1,
  Erf: 1,
  Tanh: 1,
  Sigmoid: 1,
  Relu: 1,
  Neg: 1,
  Exp: 1,
  Log: 1,
  Reciprocal: 1,
  Clip: 1,
  Where: 1,
  Max: 1,
  Min: 1,
  ReduceMean: 1,
  ReduceSum: 1,
  Softmax: 4,
  LayerNormalization: 8,
  SkipLayerNormalization: 9,
  Gelu: 8,
  FastGelu: 8,
  BiasGelu: 9,
  QuickGelu: 3,
};

const PRODUCTS = new Set([
  'MatMul',
  'Gemm',
  'DynamicQuantizeMatMul',
  'FusedMatMul',
  'MatMulInteger',
  'MatMulIntegerToFloat',
]);

/** com.microsoft ops whose work is attention (their own products, counted by attentionFlops). */
const ATTENTION_OPS = new Set(['Attention', 'MultiHeadAttention']);

function staticDims(shape: readonly Dim[] | undefined): number[] | undefined {
  return shape?.every((d): d is number => typeof d === 'number') ? (shape as number[]) : undefined;
}

const product = (dims: readonly number[]): number => dims.reduce((a, b) => a * b, 1);

/** 2 * (elements of the output) * K for a matrix product node, or undefined when a shape is unknown. */
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

/** True for the nodes whose work is matrix products: MatMul-like ops and fused attention. */
export function isProductNode(n: Node): boolean {
  if (n.domain === 'com.microsoft' && ATTENTION_OPS.has(n.opType)) return true;
  return (n.domain === '' || n.domain === 'com.microsoft') && PRODUCTS.has(n.opType);
}

/** The matrix-product FLOPs of a product node whose shapes are known, else undefined. */
export function productFlopsOf(n: Node): number | undefined {
  return ATTENTION_OPS.has(n.opType) ? attentionFlops(n) : productFlops(n);
}

/**
 * Count the FLOPs of one sequence from the graph: a copy of the model is specialized to the batch
 * and sequence (graph-ir's bindInputDims on the rank-2 inputs, then specializeShapes, which infers
 * every shape), then each matrix product adds 2 * M * N * K (the batched attention products
 * included: [B, A, S, D] x [B, A, D, S] is 2 * B * A * S * S * D), and the elementwise ops their
 * output elements times ELEMENTWISE_FLOPS. Totals are divided by the batch. A static dim that
 * differs from the one asked for, or a symbolic one left without a size, is BRW_ERR_OPTION.
 */
export function countFlops(model: Model, options: CountFlopsOptions = {}): FlopCount {
  const copy = readModel(writeModel(model));
  const g = copy.graph;
  let batch = options.batch;
  let sequence = options.sequence;
  const dims: Record<string, (number | null)[]> = {};
  for (const v of g.inputs) {
    if (v.isInitializer || v.shape?.length !== 2) continue;
    const [b, s] = v.shape;
    const check = (d: Dim | undefined, want: number | undefined, what: string): number | null => {
      if (typeof d === 'number') {
        if (want !== undefined && want !== d)
          throw new BertRewriteError(
            'BRW_ERR_OPTION',
            `input '${v.name}' has a static ${what} of ${d}; count FLOPs at ${what} ${d}, not ${want}`,
          );
        return null;
      }
      if (want === undefined)
        throw new BertRewriteError(
          'BRW_ERR_OPTION',
          `input '${v.name}' has a symbolic ${what}; give the ${what} to count at`,
        );
      return want;
    };
    if (typeof b === 'number') batch ??= b;
    if (typeof s === 'number') sequence ??= s;
    batch ??= 1;
    dims[v.name] = [check(b, batch, 'batch'), check(s, sequence, 'sequence')];
  }
  if (batch === undefined || sequence === undefined)
    throw new BertRewriteError(
      'BRW_ERR_OPTION',
      'the model has no [batch, sequence] input; give batch and sequence',
    );
  try {
    specializeShapes(copy, bindInputDims(copy, dims));
  } catch (e) {
    if (e instanceof GraphIrError)
      throw new BertRewriteError(
        'BRW_ERR_OPTION',
        `cannot specialize the model to [${batch}, ${sequence}]: ${e.message}`,
        {
          cause: e,
        },
      );
    throw e;
  }
  let matmul = 0;
  let elementwise = 0;
  const byOp: Record<string, number> = {};
  const byRegion: Record<string, number> = {};
  const unresolved: string[] = [];
  for (const n of g.nodes) {
    if (isProductNode(n)) {
      const f = productFlopsOf(n);
      if (f === undefined) {
        unresolved.push(n.describe());
        continue;
      }
      matmul += f;
      byOp[n.opType] = (byOp[n.opType] ?? 0) + f / batch;
      const region = regionOf(n) ?? 'untagged';
      byRegion[region] = (byRegion[region] ?? 0) + f / batch;
    } else if (ELEMENTWISE_FLOPS[n.opType] !== undefined) {
      const out = staticDims(n.output(0)?.shape);
      if (out !== undefined) elementwise += ELEMENTWISE_FLOPS[n.opType]! * product(out);
    }
  }
  return {
    batch,
    sequence,
    matmulPerSequence: matmul / batch,
    elementwisePerSequence: elementwise / batch,
    byOp,
    byRegion,
    unresolved,
  };
}
