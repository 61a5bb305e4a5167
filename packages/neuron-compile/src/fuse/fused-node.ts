// Naming and tagging of the nodes the device fusions add.

import { META } from '@bert-neuron/bert-rewrite';
import type { Graph, Node } from '@bert-neuron/graph-ir';

/** A node name no node of the graph has (onnxruntime refuses duplicates): base, base_2, ... */
export function freshNodeName(graph: Graph, base: string, taken?: Set<string>): string {
  const names = taken ?? new Set(graph.nodes.map((n) => n.name));
  let name = base;
  for (let i = 2; names.has(name); i++) name = `${base}_${i}`;
  names.add(name);
  return name;
}

/** Give `node` the region, layer and placement of `from` (the node it replaces). */
export function tagLike(node: Node, from: Node): Node {
  for (const key of [META.region, META.layer, META.placement]) {
    const v = from.metadata.get(key);
    if (v !== undefined) node.metadata.set(key, v);
  }
  return node;
}
