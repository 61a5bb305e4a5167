import type { Graph } from '../graph.js';
import type { Node } from '../node.js';
import type { Value } from '../value.js';
import { Match } from './match.js';
import type { OpPattern, Pattern } from './pattern.js';

/** Bindings made so far; changed on the way down and undone on the way back (backtracking). */
interface State {
  /** The root's graph: op patterns only match nodes of this graph (values may be outer ones). */
  readonly graph: Graph;
  readonly captures: Map<string, Node | Value>;
  readonly nodes: Node[];
}

// The matcher is a set of generators: each yields once per way its pattern matches, with the
// state extended by that way's bindings, and undoes them when resumed. Sequencing the inputs
// through nested generators gives full backtracking (a commutative choice made deep in the tree
// is revisited if a later sibling fails).

/** Matches once, binding nothing more. */
function* succeed(): Generator<void> {
  yield;
}

function* bind(
  s: State,
  name: string | undefined,
  x: Node | Value,
  rest: () => Generator<void>,
): Generator<void> {
  if (name === undefined) {
    yield* rest();
    return;
  }
  const bound = s.captures.get(name);
  if (bound !== undefined) {
    if (bound === x) yield* rest();
    return;
  }
  s.captures.set(name, x);
  try {
    yield* rest();
  } finally {
    s.captures.delete(name);
  }
}

function* matchSequence(
  ps: readonly Pattern[],
  vs: readonly (Value | null)[],
  i: number,
  s: State,
): Generator<void> {
  if (i === ps.length) {
    yield;
    return;
  }
  for (const _ of matchValue(ps[i]!, vs[i] ?? null, s)) yield* matchSequence(ps, vs, i + 1, s);
}

function hasOneUse(node: Node): boolean {
  let uses = 0;
  for (const o of node.outputs) {
    if (o === null) continue;
    if (o.isGraphOutput) return false;
    uses += o.uses.length;
  }
  return uses === 1;
}

function* matchInputs(p: OpPattern, node: Node, s: State): Generator<void> {
  if (p.inputs === undefined) {
    yield;
    return;
  }
  let n = node.inputs.length;
  while (n > 0 && node.inputs[n - 1] === null) n--;
  if (p.extraInputs ? n < p.inputs.length : n !== p.inputs.length) return;
  const ins = node.inputs.slice(0, p.inputs.length);
  yield* matchSequence(p.inputs, ins, 0, s);
  if (p.commutative && ins.length === 2 && ins[0] !== ins[1])
    yield* matchSequence(p.inputs, [ins[1]!, ins[0]!], 0, s);
}

function* matchNode(p: OpPattern, node: Node, s: State): Generator<void> {
  if (!p.opTypes.includes(node.opType)) return;
  if ((node.domain === 'ai.onnx' ? '' : node.domain) !== p.domain) return;
  if (p.oneUse && !hasOneUse(node)) return;
  if (p.where !== undefined && !p.where(node)) return;
  s.nodes.push(node);
  try {
    yield* bind(s, p.capture, node, () => matchInputs(p, node, s));
  } finally {
    s.nodes.pop();
  }
}

function* matchValue(p: Pattern, v: Value | null, s: State): Generator<void> {
  if (v === null) return;
  switch (p.kind) {
    case 'any':
      if (p.where === undefined || p.where(v)) yield* bind(s, p.capture, v, succeed);
      return;
    case 'constant': {
      const t = v.constant;
      if (t !== undefined && (p.where === undefined || p.where(t, v))) yield* bind(s, p.capture, v, succeed);
      return;
    }
    case 'op': {
      const node = v.producer;
      if (node !== null && node.graph === s.graph && node.outputs[p.output] === v)
        yield* matchNode(p, node, s);
      return;
    }
  }
}

/**
 * Every way `pattern` matches with its root at `node`, as Match objects (lazily; stop early by
 * breaking out of the loop). Commutative inputs give up to two ways per node. Op patterns only
 * match nodes of the root's graph; `any` and `constant` may bind values of enclosing graphs.
 */
export function* matchAll(pattern: OpPattern, node: Node): Generator<Match> {
  const graph = node.graph;
  if (graph === null) return;
  const s: State = { graph, captures: new Map(), nodes: [] };
  for (const _ of matchNode(pattern, node, s)) yield new Match(node, s.captures, s.nodes);
}

/** The first match of `pattern` rooted at `node`, or null. */
export function matchPattern(pattern: OpPattern, node: Node): Match | null {
  for (const m of matchAll(pattern, node)) return m;
  return null;
}
