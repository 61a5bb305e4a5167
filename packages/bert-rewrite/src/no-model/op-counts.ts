import type { Graph } from '@bert-neuron/graph-ir';

/** Node count per op type (`domain:op` outside the default domain), subgraphs included. */
export function opCounts(graph: Graph, into: Record<string, number> = {}): Record<string, number> {
  for (const n of graph.nodes) {
    const key = n.domain === '' || n.domain === 'ai.onnx' ? n.opType : `${n.domain}:${n.opType}`;
    into[key] = (into[key] ?? 0) + 1;
    for (const g of n.subgraphs()) opCounts(g, into);
  }
  return into;
}

/** Per op type, how many more `a` has than `b` (only positive differences, sorted by op). */
export function countsAbove(a: Record<string, number>, b: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of Object.keys(a).sort()) {
    const d = (a[k] ?? 0) - (b[k] ?? 0);
    if (d > 0) out[k] = d;
  }
  return out;
}
