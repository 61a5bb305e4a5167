import type { Node, Value } from '@bert-neuron/graph-ir';

const readsShapeOnly = (n: Node): boolean => n.domain === '' && (n.opType === 'Shape' || n.opType === 'Size');

/**
 * True when exactly one node reads the data of `v` (Shape and Size readers only see its dims) and
 * it is not a graph output: scaling v's values, say, changes only that reader.
 */
export function hasSingleDataUse(v: Value | null | undefined): boolean {
  if (v === null || v === undefined || v.isGraphOutput) return false;
  return v.uses.filter((u) => !readsShapeOnly(u.node)).length === 1;
}

/**
 * Whether the readers of `from` can read `to` instead with the graph's interface unchanged. A
 * graph output needs a producer of its own name, so when `from` is one, `to` must be a node output
 * of the same graph that is not an output already (it then takes over the output's name).
 */
export function canBypass(from: Value, to: Value): boolean {
  if (!from.isGraphOutput) return true;
  return to.graph === from.graph && to.producer !== null && !to.isGraphOutput;
}

/** True when the value is computed (not a constant, not a graph input). */
export function isComputed(v: Value | null | undefined): v is Value {
  return v !== null && v !== undefined && v.constant === undefined && v.producer !== null;
}
