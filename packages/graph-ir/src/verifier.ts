import { GraphIrError } from './errors.js';
import type { Graph } from './graph.js';
import type { Model } from './model.js';
import type { Node } from './node.js';
import type { Value } from './value.js';

export interface VerifyOptions {
  /** Require every node to come after the producers of its inputs (default true). */
  topological?: boolean;
}

/**
 * Check the IR invariants: every value has at most one definition, producers and use lists agree
 * with node inputs and outputs, every reference is in scope, and (by default) nodes are in
 * topological order. Returns the problems found; `verifyModel` throws on the first.
 */
export function checkGraph(graph: Graph, options: VerifyOptions = {}): string[] {
  const problems: string[] = [];
  const topological = options.topological ?? true;
  const where = `graph '${graph.name}'`;
  const defined = new Set<Value>();
  const nodeSet = new Set<Node>();
  for (const v of graph.values) {
    if (v.graph !== graph) problems.push(`${where}: value '${v.name}' belongs to another graph`);
    if (v.producer !== null && (v.isInitializer || v.isGraphInput))
      problems.push(`${where}: value '${v.name}' has a producer and is also an input or initializer`);
    if (v.producer === null && !v.isInitializer && !v.isGraphInput)
      problems.push(
        `${where}: value '${v.name}' has no definition (no producer, not an input or initializer)`,
      );
  }
  for (const v of graph.inputs) {
    if (graph.lookup(v.name) !== v) problems.push(`${where}: input '${v.name}' is not registered`);
    defined.add(v);
  }
  for (const v of graph.initializers) defined.add(v);
  const inScope = (v: Value): boolean => {
    if (v.graph === graph) return graph.lookup(v.name) === v;
    return graph.parent !== null && graph.parent.lookup(v.name) === v;
  };
  for (const node of graph.nodes) {
    if (nodeSet.has(node)) problems.push(`${where}: ${node.describe()} appears twice`);
    nodeSet.add(node);
    if (node.graph !== graph) problems.push(`${where}: ${node.describe()} does not know its graph`);
    node.inputs.forEach((v, i) => {
      if (v === null) return;
      if (!inScope(v))
        problems.push(`${where}: input ${i} '${v.name}' of ${node.describe()} is not in scope`);
      const n = v.uses.filter((u) => u.node === node && u.index === i).length;
      if (n !== 1)
        problems.push(`${where}: use list of '${v.name}' has ${n} entries for ${node.describe()}#${i}`);
      if (topological && v.graph === graph && v.producer !== null && !defined.has(v))
        problems.push(
          `${where}: ${node.describe()} reads '${v.name}' before it is produced (not topologically sorted)`,
        );
    });
    for (const o of node.outputs) {
      if (o === null) continue;
      if (o.producer !== node)
        problems.push(`${where}: output '${o.name}' of ${node.describe()} names another producer`);
      if (graph.lookup(o.name) !== o)
        problems.push(`${where}: output '${o.name}' of ${node.describe()} is not registered`);
      defined.add(o);
    }
    for (const sub of node.subgraphs()) {
      if (sub.parent !== graph)
        problems.push(`${where}: a subgraph of ${node.describe()} has the wrong parent`);
      problems.push(...checkGraph(sub, options));
    }
  }
  for (const v of graph.values) {
    if (v.producer !== null && !nodeSet.has(v.producer))
      problems.push(`${where}: producer of '${v.name}' is not in the graph`);
    for (const u of v.uses) {
      if (u.node.inputs[u.index] !== v)
        problems.push(
          `${where}: '${v.name}' lists a use by ${u.node.describe()}#${u.index} that reads something else`,
        );
      if (u.node.graph === null)
        problems.push(`${where}: '${v.name}' is used by a removed node ${u.node.describe()}`);
    }
  }
  for (const v of graph.outputs)
    if (!inScope(v)) problems.push(`${where}: output '${v.name}' is not in scope`);
  return problems;
}

/** Throw GIR_ERR_VERIFY listing the invariant violations, if any. */
export function verifyModel(model: Model, options: VerifyOptions = {}): void {
  const problems = checkGraph(model.graph, options);
  if (problems.length > 0) {
    const shown = problems.slice(0, 10).join('\n  ');
    const more = problems.length > 10 ? `\n  ... and ${problems.length - 10} more` : '';
    throw new GraphIrError('GIR_ERR_VERIFY', `model fails verification:\n  ${shown}${more}`);
  }
}
