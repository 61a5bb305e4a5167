import type { Node, Value } from '@bert-neuron/graph-ir';

/** Ops whose output does not depend on the data of their inputs, only on shapes. */
const SHAPE_SOURCES = new Set(['Shape', 'Size', 'ConstantOfShape']);

/** Ops whose inputs after the first are shapes, indices or sizes, not data. */
const DATA_FIRST_ONLY = new Set([
  'Reshape',
  'Expand',
  'Tile',
  'Slice',
  'Squeeze',
  'Unsqueeze',
  'Pad',
  'Dropout',
]);

/** The inputs of `n` that carry data into its output (see SHAPE_SOURCES, DATA_FIRST_ONLY). */
export function dataInputs(n: Node): Value[] {
  if (n.domain === '' && SHAPE_SOURCES.has(n.opType)) return [];
  const inputs = n.domain === '' && DATA_FIRST_ONLY.has(n.opType) ? n.inputs.slice(0, 1) : n.inputs;
  return inputs.filter((v): v is Value => v !== null);
}

/**
 * The graph inputs whose data reaches `v` (walking producers through data inputs only: a graph
 * input read only by a Shape does not count). Initializers are not inputs here.
 */
export function dataGraphInputs(v: Value | null): Set<Value> {
  const found = new Set<Value>();
  if (!v) return found;
  const seen = new Set<Value>();
  const stack: Value[] = [v];
  while (stack.length > 0) {
    const cur = stack.pop()!;
    if (seen.has(cur)) continue;
    seen.add(cur);
    if (cur.isGraphInput && !cur.isInitializer) {
      found.add(cur);
      continue;
    }
    const p = cur.producer;
    if (p) stack.push(...dataInputs(p));
  }
  return found;
}

/**
 * Nodes that compute the data of `v` from graph inputs and constants, walking data inputs only
 * (shape arithmetic is left out) and not entering nodes in `stop` nor Shape/Size/ConstantOfShape.
 */
export function dataCone(v: Value | null, stop: ReadonlySet<Node>): Set<Node> {
  const out = new Set<Node>();
  if (!v) return out;
  const stack: Value[] = [v];
  const seen = new Set<Value>();
  while (stack.length > 0) {
    const cur = stack.pop()!;
    if (seen.has(cur)) continue;
    seen.add(cur);
    const p = cur.producer;
    if (!p || stop.has(p) || out.has(p)) continue;
    if (p.domain === '' && SHAPE_SOURCES.has(p.opType)) continue;
    out.add(p);
    stack.push(...dataInputs(p));
  }
  return out;
}
