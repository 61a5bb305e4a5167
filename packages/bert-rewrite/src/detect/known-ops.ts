import type { Node } from '@bert-neuron/graph-ir';

/** Ops that the supported exports use inside a BERT encoder (default ONNX domain). */
const KNOWN = new Set([
  'Add',
  'Sub',
  'Mul',
  'Div',
  'Pow',
  'Sqrt',
  'Reciprocal',
  'ReduceMean',
  'Erf',
  'Tanh',
  'Sigmoid',
  'Cast',
  'Identity',
  'Dropout',
  'Reshape',
  'Transpose',
  'MatMul',
  'Gemm',
  'Softmax',
  'Where',
  'Constant',
  'Shape',
  'Gather',
  'Unsqueeze',
  'Squeeze',
  'Concat',
  'Slice',
  'Expand',
  'Equal',
  'LayerNormalization',
  'Gelu',
]);

const KNOWN_CONTRIB = new Set([
  'LayerNormalization',
  'SkipLayerNormalization',
  'Gelu',
  'FastGelu',
  'BiasGelu',
  'QuickGelu',
]);

/** `domain:op` for messages. */
export function opName(n: Node): string {
  return n.domain === '' ? n.opType : `${n.domain}:${n.opType}`;
}

/** Whether `n` is an op the matchers know (it may still sit in an unsupported arrangement). */
export function isKnownOp(n: Node): boolean {
  if (n.domain === '' || n.domain === 'ai.onnx') return KNOWN.has(n.opType);
  return n.domain === 'com.microsoft' && KNOWN_CONTRIB.has(n.opType);
}

/** "Div, Cos, Add" listing of the ops of `nodes`, unknown ones flagged. */
export function describeOps(nodes: readonly Node[]): { list: string; unknown: string[] } {
  const names = nodes.map(opName);
  const unknown = [...new Set(nodes.filter((n) => !isKnownOp(n)).map(opName))];
  return { list: names.join(', ') || 'none', unknown };
}
