// Emitting the fused GELU both GELU fusions produce.
import { attr, type Graph, type Model, type Node, type Value } from '@bert-neuron/graph-ir';
import { uniqueNodeName } from './node-name.js';

/**
 * Where a fused GELU goes: `contrib` is com.microsoft Gelu (erf) / FastGelu (tanh), which ONNX
 * Runtime runs at any ai.onnx opset; `onnx` is ai.onnx Gelu (opset 20), with approximate 'tanh'.
 */
export type GeluTarget = 'contrib' | 'onnx';

/** The target a model supports: ai.onnx Gelu from opset 20, com.microsoft before. */
export function defaultGeluTarget(model: Model): GeluTarget {
  return (model.opset('') ?? 0) >= 20 ? 'onnx' : 'contrib';
}

/** Emit GELU(x) (erf or tanh approximation) just before `before`, typed like `like`. */
export function emitGelu(
  model: Model,
  graph: Graph,
  x: Value,
  form: 'erf' | 'tanh',
  target: GeluTarget,
  before: Node,
  like: Value,
): Value {
  const base = uniqueNodeName(graph, before.name ? `${before.name}/Gelu` : 'Gelu');
  const outputs = [
    {
      name: graph.uniqueName(`${base}_out`),
      dtype: like.dtype,
      shape: like.shape ? [...like.shape] : undefined,
    },
  ];
  if (target === 'onnx')
    return graph.addNode({
      opType: 'Gelu',
      name: base,
      inputs: [x],
      attributes: form === 'tanh' ? { approximate: attr.string('tanh') } : {},
      outputs,
      before,
    }).out;
  model.ensureOpset('com.microsoft', 1);
  return graph.addNode({
    opType: form === 'erf' ? 'Gelu' : 'FastGelu',
    domain: 'com.microsoft',
    name: base,
    inputs: [x],
    outputs,
    before,
  }).out;
}
