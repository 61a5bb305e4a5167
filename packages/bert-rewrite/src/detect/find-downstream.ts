import type { Node, Value } from '@bert-neuron/graph-ir';
import { sameData } from './pass-through.js';
import { resolveMatrix } from './weight-ref.js';

const isShapeOnly = (n: Node) => n.domain === '' && (n.opType === 'Shape' || n.opType === 'Size');

/**
 * Breadth-first over the nodes that read `v` (data uses only, not Shape/Size), up to `maxDepth`
 * nodes away, for the nearest value that `match` recognizes as computed from `v` (its `input`
 * carries the same data). The match is then grown while a consumer of its output matches too,
 * so a LayerNorm is taken with its beta Add rather than stopping at the gamma Mul.
 */
export function findDownstream<T extends { readonly input: Value; readonly output: Value }>(
  v: Value,
  match: (w: Value) => T | undefined,
  maxDepth = 8,
): T | undefined {
  const seen = new Set<Node>();
  let frontier: Value[] = [v];
  let found: T | undefined;
  for (let depth = 0; depth < maxDepth && !found && frontier.length > 0; depth++) {
    const next: Value[] = [];
    for (const value of frontier) {
      for (const u of value.uses) {
        const n = u.node;
        if (seen.has(n) || isShapeOnly(n)) continue;
        seen.add(n);
        for (const o of n.outputs) {
          if (!o) continue;
          next.push(o);
          if (found) continue;
          const m = match(o);
          if (m && sameData(m.input, v)) found = m;
        }
      }
    }
    frontier = next;
  }
  if (!found) return undefined;
  for (let grow = 0; grow < 4; grow++) {
    let bigger: T | undefined;
    for (const u of found.output.uses)
      for (const o of u.node.outputs) {
        const m = o ? match(o) : undefined;
        if (m && sameData(m.input, v)) bigger ??= m;
      }
    if (!bigger) break;
    found = bigger;
  }
  return found;
}

/** The nearest MatMul/Gemm downstream of `v` with a constant matrix operand (the next dense). */
export function nextDense(v: Value, maxDepth = 12): Node | undefined {
  const seen = new Set<Node>();
  let frontier: Value[] = [v];
  for (let depth = 0; depth < maxDepth && frontier.length > 0; depth++) {
    const next: Value[] = [];
    for (const value of frontier)
      for (const u of value.uses) {
        const n = u.node;
        if (seen.has(n) || isShapeOnly(n)) continue;
        seen.add(n);
        if (n.domain === '' && (n.opType === 'MatMul' || n.opType === 'Gemm') && resolveMatrix(n.input(1)))
          return n;
        for (const o of n.outputs) if (o) next.push(o);
      }
    frontier = next;
  }
  return undefined;
}

/** Nodes on data paths from `from` to `to` (descendants of `from` that `to` depends on). */
export function nodesBetween(from: Value, to: Value, limit = 400): Node[] {
  const down = new Set<Node>();
  const stack: Value[] = [from];
  while (stack.length > 0 && down.size < limit) {
    const v = stack.pop()!;
    if (v === to) continue;
    for (const u of v.uses) {
      if (down.has(u.node) || isShapeOnly(u.node)) continue;
      down.add(u.node);
      for (const o of u.node.outputs) if (o) stack.push(o);
    }
  }
  const out: Node[] = [];
  const seen = new Set<Node>();
  const up: Value[] = [to];
  while (up.length > 0) {
    const v = up.pop()!;
    if (v === from) continue;
    const p = v.producer;
    if (!p || seen.has(p) || !down.has(p)) continue;
    seen.add(p);
    out.push(p);
    for (const i of p.inputs) if (i) up.push(i);
  }
  return out;
}
