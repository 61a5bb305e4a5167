import type { Model, Node } from '@bert-neuron/graph-ir';

/**
 * What a node computes in: `int8` for quantized products (DynamicQuantizeMatMul, MatMulInteger,
 * QLinear*, ...), `cast` for Cast nodes, else the type of its first float output (`float16`,
 * `float32`, `float64`, `bfloat16`; when no output type is known, the first float input's),
 * `other` when it has no float output (shape arithmetic, comparisons, integer Gathers).
 */
export type NodePrecision = 'float32' | 'float16' | 'bfloat16' | 'float64' | 'int8' | 'cast' | 'other';

const INT8_OPS = new Set([
  'DynamicQuantizeMatMul',
  'MatMulInteger',
  'MatMulIntegerToFloat',
  'QLinearMatMul',
  'QGemm',
  'QAttention',
  'DynamicQuantizeLinear',
  'QuantizeLinear',
  'DequantizeLinear',
]);

export function nodePrecision(node: Node): NodePrecision {
  if (INT8_OPS.has(node.opType)) return 'int8';
  if (node.opType === 'Cast' && node.domain === '') return 'cast';
  const float = (d: string | undefined): d is 'float32' | 'float16' | 'bfloat16' | 'float64' =>
    d === 'float32' || d === 'float16' || d === 'bfloat16' || d === 'float64';
  for (const o of node.outputs) if (float(o?.dtype)) return o!.dtype as NodePrecision;
  // Outputs of unknown type (a model without value_info): the first float input tells.
  if (node.outputs.every((o) => o === null || o.dtype === undefined))
    for (const v of node.inputs) if (float(v?.dtype)) return v!.dtype as NodePrecision;
  return 'other';
}

/** Main-graph nodes by precision (only the precisions present). */
export function countNodesByPrecision(model: Model): Partial<Record<NodePrecision, number>> {
  const out: Partial<Record<NodePrecision, number>> = {};
  for (const n of model.graph.nodes) {
    const p = nodePrecision(n);
    out[p] = (out[p] ?? 0) + 1;
  }
  return out;
}
