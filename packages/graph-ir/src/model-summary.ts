import type { DataType } from './dtype.js';
import type { Graph } from './graph.js';
import type { Model } from './model.js';
import type { Dim, Value } from './value.js';

export interface ValueSummary {
  name: string;
  dtype: DataType | null;
  shape: Dim[] | null;
}

export interface ParameterCount {
  /** Elements. */
  count: number;
  bytes: number;
  tensors: number;
}

/** Facts about a model, as `onnx-ir inspect` prints them. */
export interface ModelSummary {
  irVersion: number;
  producerName: string;
  producerVersion: string;
  /** Opset per domain ('ai.onnx' for the default domain), sorted by domain. */
  opsets: Record<string, number>;
  inputs: ValueSummary[];
  outputs: ValueSummary[];
  /** Nodes in the main graph and all subgraphs. */
  nodes: number;
  /** Of which in subgraphs. */
  subgraphNodes: number;
  /** Node counts by domain-qualified op type (`Add`, `com.microsoft.Attention`), sorted by name. */
  ops: Record<string, number>;
  /** Initializers (main graph and subgraphs; sparse ones count their stored values). */
  parameters: ParameterCount & { byDtype: Partial<Record<DataType, ParameterCount>> };
}

function sortedRecord<T>(entries: Iterable<[string, T]>): Record<string, T> {
  return Object.fromEntries([...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

const valueSummary = (v: Value): ValueSummary => ({
  name: v.name,
  dtype: v.dtype ?? null,
  shape: v.shape === undefined ? null : [...v.shape],
});

/** Count ops, nodes and parameters of a model. */
export function summarizeModel(model: Model): ModelSummary {
  const ops = new Map<string, number>();
  const byDtype = new Map<DataType, ParameterCount>();
  const total: ParameterCount = { count: 0, bytes: 0, tensors: 0 };
  let nodes = 0;
  let subgraphNodes = 0;
  const walk = (g: Graph, nested: boolean): void => {
    for (const v of g.initializers) {
      const t = v.initializer ?? v.sparseInitializer?.values;
      if (t === undefined) continue;
      const c = byDtype.get(t.dtype) ?? { count: 0, bytes: 0, tensors: 0 };
      for (const p of [c, total]) {
        p.count += t.size;
        p.bytes += t.byteLength;
        p.tensors += 1;
      }
      byDtype.set(t.dtype, c);
    }
    for (const n of g.nodes) {
      nodes += 1;
      if (nested) subgraphNodes += 1;
      const domain = n.domain === 'ai.onnx' ? '' : n.domain;
      const key = domain === '' ? n.opType : `${domain}.${n.opType}`;
      ops.set(key, (ops.get(key) ?? 0) + 1);
      for (const sub of n.subgraphs()) walk(sub, true);
    }
  };
  walk(model.graph, false);
  return {
    irVersion: model.irVersion,
    producerName: model.producerName,
    producerVersion: model.producerVersion,
    opsets: sortedRecord([...model.opsetImports].map(([d, v]) => [d === '' ? 'ai.onnx' : d, v])),
    inputs: model.graph.inputs.map(valueSummary),
    outputs: model.graph.outputs.map(valueSummary),
    nodes,
    subgraphNodes,
    ops: sortedRecord(ops),
    parameters: { ...total, byDtype: sortedRecord(byDtype) },
  };
}
