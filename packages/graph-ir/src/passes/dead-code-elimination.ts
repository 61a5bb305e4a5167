import type { Graph } from '../graph.js';
import type { Node } from '../node.js';
import type { Pass } from './pass.js';

export interface DeadCodeEliminationOptions {
  /** Also remove main-graph inputs nothing reads (this changes the model's signature). Default false. */
  removeUnusedInputs?: boolean;
}

interface Counts {
  nodesRemoved: number;
  initializersRemoved: number;
  inputsRemoved: number;
}

const isDead = (n: Node): boolean => n.outputs.every((o) => o === null || o.isUnused);

/**
 * Remove the nodes of a graph whose outputs nothing reads, transitively (ONNX ops are pure), then
 * its initializers nothing reads. Subgraphs are cleaned first; removing a node drops the uses its
 * subgraphs held on outer values.
 */
function eliminate(graph: Graph, counts: Counts): void {
  for (const n of graph.nodes) for (const sub of n.subgraphs()) eliminate(sub, counts);
  // Worklist from the end, so a chain of dead nodes goes in one sweep.
  const work = [...graph.nodes];
  const queued = new Set(work);
  while (work.length > 0) {
    const node = work.pop()!;
    queued.delete(node);
    if (node.graph !== graph || !isDead(node)) continue;
    const feeders = node.inputs.map((v) => v?.producer).filter((p): p is Node => p != null);
    graph.removeNode(node);
    counts.nodesRemoved += 1;
    for (const p of feeders)
      if (p.graph === graph && !queued.has(p)) {
        queued.add(p);
        work.push(p);
      }
  }
  for (const v of graph.initializers)
    if (v.isUnused && !v.isGraphInput) {
      graph.removeInitializer(v);
      counts.initializersRemoved += 1;
    }
}

/**
 * Dead code elimination: removes nodes whose outputs are all unused (transitively, in subgraphs
 * too), unused initializers, and with `removeUnusedInputs` unused inputs of the main graph
 * (with their initializer when the input had a default). Graph outputs are never removed.
 */
export function deadCodeEliminationPass(options: DeadCodeEliminationOptions = {}): Pass {
  return {
    name: 'dead-code-elimination',
    run(model) {
      const counts: Counts = { nodesRemoved: 0, initializersRemoved: 0, inputsRemoved: 0 };
      const graph = model.graph;
      eliminate(graph, counts);
      if (options.removeUnusedInputs)
        for (const v of [...graph.inputs])
          if (v.isUnused) {
            graph.removeInput(v);
            counts.inputsRemoved += 1;
            if (v.isInitializer) {
              graph.removeInitializer(v);
              counts.initializersRemoved += 1;
            }
          }
      const modified = counts.nodesRemoved + counts.initializersRemoved + counts.inputsRemoved > 0;
      return { modified, stats: { ...counts } };
    },
  };
}
