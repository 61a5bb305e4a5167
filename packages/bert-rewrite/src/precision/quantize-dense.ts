import type { Graph, Model, Node, Value } from '@bert-neuron/graph-ir';
import { Tensor } from '@bert-neuron/graph-ir';
import { type BertRegion, regionOf } from '../regions.js';
import { tagLike } from './node-tags.js';
import { quantizePerChannel } from './quantize-per-channel.js';

/** The `rule` metadata of the DynamicQuantizeMatMul nodes. */
export const INT8_RULE = 'precision-int8';

/** Regions that hold dense layers: Q/K/V, attention output, FFN in/out, pooler, classifier/QA. */
export const DENSE_REGIONS: readonly BertRegion[] = [
  'attention',
  'attention-output',
  'ffn',
  'pooler',
  'head',
];

export interface QuantizeDenseOptions {
  /** The regions whose dense layers are quantized (default DENSE_REGIONS, every dense layer). */
  readonly regions?: readonly BertRegion[];
}

export interface QuantizeDenseResult {
  /** Dense layers now computed by DynamicQuantizeMatMul. */
  quantized: number;
  /** Of which with their bias Add folded into the op. */
  biasesFolded: number;
  /** Weight elements quantized (K * N summed). */
  weights: number;
}

interface Dense {
  readonly node: Node;
  readonly a: Value;
  readonly k: number;
  readonly n: number;
  /** Row-major [K, N] float kernel (alpha applied). */
  readonly kernel: ArrayLike<number>;
  readonly kernelValue: Value;
  /** The bias [N] and the values it came from, when folded. */
  readonly bias: { tensor: Tensor; add: Node | null; value: Value } | null;
  /** The value the dense layer's result is read from (the bias Add's output when folded). */
  readonly last: Value;
}

const constantOf = (v: Value | null): Tensor | undefined =>
  v === null || v.isGraphInput ? undefined : v.constant;

/** A [N] vector broadcast along the last axis only (dims all 1 but the last), no rank beyond maxRank. */
function asBias(t: Tensor | undefined, n: number, maxRank: number | undefined): Tensor | undefined {
  if (t === undefined || t.dtype !== 'float32' || t.size !== n || t.rank === 0) return undefined;
  if (t.dims[t.rank - 1] !== n) return undefined;
  if (t.rank > (maxRank ?? 1)) return undefined;
  return t.rank === 1 ? t : t.reshape([n]);
}

function matMulDense(node: Node): Dense | undefined {
  const a = node.input(0);
  const w = constantOf(node.input(1));
  if (a === null || constantOf(a) !== undefined || w === undefined || w.rank !== 2 || w.dtype !== 'float32')
    return undefined;
  const [k, n] = w.dims as [number, number];
  const out = node.output(0)!;
  let bias: Dense['bias'] = null;
  let last = out;
  const reader = out.uses.length === 1 && !out.isGraphOutput ? out.uses[0]!.node : undefined;
  if (reader !== undefined && reader.opType === 'Add' && reader.domain === '' && reader.inputs.length === 2) {
    const other = reader.input(1 - out.uses[0]!.index);
    const t = asBias(constantOf(other), n, out.shape?.length);
    if (t !== undefined && other !== null) {
      bias = { tensor: t, add: reader, value: other };
      last = reader.output(0)!;
    }
  }
  return { node, a, k, n, kernel: w.data as Float32Array, kernelValue: node.input(1)!, bias, last };
}

function gemmDense(node: Node): Dense | undefined {
  const a = node.input(0);
  const w = constantOf(node.input(1));
  if (a === null || constantOf(a) !== undefined || w === undefined || w.rank !== 2 || w.dtype !== 'float32')
    return undefined;
  if (node.attrInt('transA', 0) !== 0) return undefined;
  const transB = node.attrInt('transB', 0) === 1;
  const alpha = node.attrFloat('alpha', 1);
  const beta = node.attrFloat('beta', 1);
  const [k, n] = (transB ? [w.dims[1], w.dims[0]] : w.dims) as [number, number];
  const src = w.data as Float32Array;
  const kernel = new Float32Array(k * n);
  for (let i = 0; i < k; i++)
    for (let j = 0; j < n; j++) kernel[i * n + j] = alpha * src[transB ? j * k + i : i * n + j]!;
  let bias: Dense['bias'] = null;
  const c = node.input(2);
  if (c !== null) {
    const t = constantOf(c);
    if (t === undefined || t.dtype !== 'float32') return undefined;
    const values = t.toFloat32();
    let vec: Float32Array;
    if (t.size === 1) vec = new Float32Array(n).fill(beta * values[0]!);
    else if (asBias(t, n, 2) !== undefined) vec = Float32Array.from(values, (x) => beta * x);
    else return undefined;
    bias = { tensor: Tensor.from('float32', [n], vec), add: null, value: c };
  }
  return { node, a, k, n, kernel, kernelValue: node.input(1)!, bias, last: node.output(0)! };
}

/** The dense layer `node` computes when it is a float MatMul/Gemm of the main graph in one of `regions`. */
function denseIn(node: Node, g: Graph, regions: readonly BertRegion[]): Dense | undefined {
  if (node.graph !== g || node.domain !== '') return undefined;
  const region = regionOf(node);
  if (region === undefined || !regions.includes(region)) return undefined;
  return node.opType === 'MatMul' ? matMulDense(node) : node.opType === 'Gemm' ? gemmDense(node) : undefined;
}

/** Dense layers (as quantizeDenseLayers finds them) still computed in float in `regions` (default all). */
export function countFloatDenseLayers(model: Model, regions: readonly BertRegion[] = DENSE_REGIONS): number {
  return model.graph.nodes.filter((n) => denseIn(n, model.graph, regions) !== undefined).length;
}

function removeIfUnused(g: Graph, v: Value): void {
  if (!v.isUnused || v.isGraphInput) return;
  if (v.isInitializer) g.removeInitializer(v);
  else if (v.producer !== null && v.producer.opType === 'Constant') g.removeNode(v.producer);
}

/**
 * Dynamic int8 quantization of the dense layers (MatMul or Gemm with a constant float32 [K, N]
 * kernel) in `options.regions` (default: the attention, attention-output, ffn, pooler and head
 * regions; the int8 precision policy asks for fewer, see INT8_REGIONS): each becomes one
 * com.microsoft DynamicQuantizeMatMul(A, B int8 [K, N], b_scale [N], b_zero_point int8 [N] = 0,
 * bias [N]) with the kernel quantized per output column (quantizePerChannel) and the bias Add
 * folded in. At run time ORT quantizes A to uint8 per tensor (scale = (max - min) / 255), multiplies
 * in integers and rescales: y[m, j] = a_scale * b_scale[j] * sum_k (qa[m, k] - a_zp) * qb[k, j] + bias[j].
 * Gemm's alpha goes into the kernel, beta into the bias; transB kernels are transposed. The
 * result keeps the name of the value it replaces; the op carries the dense layer's tags.
 */
export function quantizeDenseLayers(model: Model, options: QuantizeDenseOptions = {}): QuantizeDenseResult {
  const g = model.graph;
  const result: QuantizeDenseResult = { quantized: 0, biasesFolded: 0, weights: 0 };
  for (const node of [...g.nodes]) {
    const dense = denseIn(node, g, options.regions ?? DENSE_REGIONS);
    if (dense === undefined) continue;
    model.ensureOpset('com.microsoft', 1);
    const { k, n, last } = dense;
    const q = quantizePerChannel(dense.kernel, k, n);
    const base = dense.kernelValue.name;
    const inputs = [
      dense.a,
      g.addInitializer(g.uniqueName(`${base}_quantized`), Tensor.from('int8', [k, n], q.values)),
      g.addInitializer(g.uniqueName(`${base}_scale`), Tensor.from('float32', [n], q.scales)),
      g.addInitializer(g.uniqueName(`${base}_zero_point`), Tensor.zeros('int8', [n])),
    ];
    if (dense.bias !== null)
      inputs.push(
        dense.bias.value.initializer === dense.bias.tensor
          ? dense.bias.value
          : g.addInitializer(g.uniqueName(`${base}_bias`), dense.bias.tensor),
      );
    const name = last.name;
    const op = g.addNode({
      opType: 'DynamicQuantizeMatMul',
      domain: 'com.microsoft',
      name: node.name ? `${node.name}/DynamicQuantizeMatMul` : '',
      inputs,
      outputs: [
        {
          name: g.uniqueName(`${name}_int8`),
          dtype: 'float32',
          ...(last.shape ? { shape: [...last.shape] } : {}),
        },
      ],
      before: node,
    });
    tagLike(op, node, INT8_RULE);
    g.replaceAllUsesWith(last, op.out);
    if (dense.bias?.add) g.removeNode(dense.bias.add);
    g.removeNode(node);
    removeIfUnused(g, dense.kernelValue);
    if (dense.bias !== null) removeIfUnused(g, dense.bias.value);
    if (op.out.name !== name && !g.hasName(name)) g.renameValue(op.out, name);
    result.quantized++;
    if (dense.bias !== null) result.biasesFolded++;
    result.weights += k * n;
  }
  return result;
}
