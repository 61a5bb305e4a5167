import type { Graph, Node } from '@bert-neuron/graph-ir';

const isDead = (n: Node): boolean => n.outputs.every((o) => o === null || o.isUnused);

/**
 * Remove `nodes` that no reader needs any more, then the producers (in the same graph) that lose
 * their last reader through it, transitively. A rewrite calls it on the nodes it bypassed beyond
 * the pattern's own, so no dead half of a fused subgraph is left for other rules to match.
 */
export function removeDeadNodes(graph: Graph, nodes: Iterable<Node>): number {
  const work = [...nodes];
  let removed = 0;
  while (work.length > 0) {
    const n = work.pop()!;
    if (n.graph !== graph || !isDead(n)) continue;
    const feeders = n.inputs.map((v) => v?.producer).filter((p): p is Node => p != null && p.graph === graph);
    graph.removeNode(n);
    removed += 1;
    work.push(...feeders);
  }
  return removed;
}
