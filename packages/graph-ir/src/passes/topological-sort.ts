import { GraphIrError } from '../errors.js';
import type { Graph } from '../graph.js';
import type { Node } from '../node.js';
import type { Value } from '../value.js';
import type { Pass } from './pass.js';

/** Values of `outer` that the subgraphs of `node` (at any depth) read. */
function outerReads(node: Node, outer: Graph, into: Set<Value>): void {
  for (const sub of node.subgraphs())
    for (const n of sub.nodes) {
      for (const v of n.inputs) if (v !== null && v.graph === outer) into.add(v);
      outerReads(n, outer, into);
    }
}

/** The nodes of `graph` each node depends on (producers of its inputs and of its subgraphs' outer reads). */
function dependencies(graph: Graph, node: Node): Set<Node> {
  const values = new Set<Value>();
  for (const v of node.inputs) if (v !== null) values.add(v);
  outerReads(node, graph, values);
  const deps = new Set<Node>();
  for (const v of values) if (v.graph === graph && v.producer !== null) deps.add(v.producer);
  return deps;
}

/** A min-heap of node positions, so the sort takes the earliest ready node first (stable order). */
class PositionHeap {
  readonly #a: number[] = [];

  get size(): number {
    return this.#a.length;
  }

  push(x: number): void {
    const a = this.#a;
    a.push(x);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p]! <= x) break;
      a[i] = a[p]!;
      i = p;
    }
    a[i] = x;
  }

  pop(): number {
    const a = this.#a;
    const top = a[0]!;
    const last = a.pop()!;
    if (a.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= a.length) break;
        const c = l + 1 < a.length && a[l + 1]! < a[l]! ? l + 1 : l;
        if (a[c]! >= last) break;
        a[i] = a[c]!;
        i = c;
      }
      a[i] = last;
    }
    return top;
  }
}

/** Walk back from a node that could not be placed until a node repeats: that node is on a cycle. */
function findCycle(nodes: readonly Node[], deps: Set<Node>[], placed: boolean[]): Node[] {
  const index = new Map(nodes.map((n, i) => [n, i]));
  let i = placed.indexOf(false);
  const path: number[] = [];
  const seenAt = new Map<number, number>();
  while (!seenAt.has(i)) {
    seenAt.set(i, path.length);
    path.push(i);
    const next = [...deps[i]!].map((d) => index.get(d)!).find((j) => !placed[j]);
    i = next!; // every unplaced node has an unplaced dependency
  }
  return path
    .slice(seenAt.get(i))
    .reverse()
    .map((j) => nodes[j]!);
}

/**
 * Order the nodes of a graph (and, recursively, of its subgraphs) so that every node comes after
 * the producers of the values it reads, including the outer values its subgraphs read. The sort
 * is stable: among the nodes that are ready, the one that came first goes first, so a sorted
 * graph keeps its order. A cycle is GIR_ERR_INVARIANT naming the nodes on it. Returns true when
 * any order changed.
 */
export function topologicalSort(graph: Graph): boolean {
  let changed = false;
  for (const node of graph.nodes)
    for (const sub of node.subgraphs()) changed = topologicalSort(sub) || changed;

  const nodes = graph.nodes;
  const index = new Map(nodes.map((n, i) => [n, i]));
  const deps = nodes.map((n) => dependencies(graph, n));
  const pending = deps.map((d) => d.size);
  const dependents: number[][] = nodes.map(() => []);
  deps.forEach((ds, i) => {
    for (const d of ds) dependents[index.get(d)!]!.push(i);
  });
  const ready = new PositionHeap();
  pending.forEach((n, i) => {
    if (n === 0) ready.push(i);
  });
  const order: Node[] = [];
  const placed = nodes.map(() => false);
  while (ready.size > 0) {
    const i = ready.pop();
    placed[i] = true;
    order.push(nodes[i]!);
    for (const j of dependents[i]!) if (--pending[j]! === 0) ready.push(j);
  }
  if (order.length < nodes.length) {
    const cycle = findCycle(nodes, deps, placed);
    throw new GraphIrError(
      'GIR_ERR_INVARIANT',
      `graph '${graph.name}' has a cycle through ${cycle[0]!.describe()}: ${cycle.map((n) => n.describe()).join(' -> ')} -> ${cycle[0]!.describe()}; a valid ONNX graph is acyclic`,
    );
  }
  if (order.some((n, i) => n !== nodes[i])) {
    graph.setNodeOrder(order);
    changed = true;
  }
  return changed;
}

/** Sorts the main graph and its subgraphs topologically (see topologicalSort). */
export const topologicalSortPass: Pass = {
  name: 'topological-sort',
  run(model) {
    return { modified: topologicalSort(model.graph) };
  },
};
