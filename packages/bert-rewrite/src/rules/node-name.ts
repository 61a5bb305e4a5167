import type { Graph } from '@bert-neuron/graph-ir';

/**
 * A node name not used by any node of the graph (ONNX Runtime refuses two nodes with one name):
 * `base`, else `base_2`, `base_3`, ... An empty base stays empty (unnamed nodes are fine).
 */
export function uniqueNodeName(graph: Graph, base: string): string {
  if (base === '') return '';
  const taken = new Set(graph.nodes.map((n) => n.name));
  if (!taken.has(base)) return base;
  for (let i = 2; ; i++) if (!taken.has(`${base}_${i}`)) return `${base}_${i}`;
}
