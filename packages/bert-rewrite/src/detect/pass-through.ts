import { dataTypeFromOnnx, isFloatType, type Node, type Value } from '@bert-neuron/graph-ir';
import { scalarOf } from './constant-value.js';

/**
 * Nodes that hand their data input on unchanged at inference: Identity, inference-mode Dropout
 * (output 0; a `training_mode` input must be absent or constant false) and a Cast between float
 * types (ORT's fp16 model casts around every Reshape/Transpose). With `reshape`, a Reshape (or
 * Squeeze/Unsqueeze/Flatten) counts too: google-research BERT runs its encoder on [batch*seq, H]
 * rows and reshapes between blocks.
 */
export function isPassThrough(node: Node, options: { reshape?: boolean } = {}): boolean {
  if (node.domain !== '') return false;
  switch (node.opType) {
    case 'Identity':
      return true;
    case 'Dropout': {
      const training = node.input(2);
      return training === null || scalarOf(training) === 0;
    }
    case 'Cast': {
      const to = dataTypeFromOnnx(node.attrInt('to'), node.describe());
      const from = node.input(0)?.dtype;
      return isFloatType(to) && (from === undefined || isFloatType(from));
    }
    case 'Reshape':
    case 'Squeeze':
    case 'Unsqueeze':
    case 'Flatten':
      return options.reshape === true;
    default:
      return false;
  }
}

export interface Stripped {
  /** The first value up the chain that a pass-through node did not produce. */
  readonly value: Value;
  /** The pass-through nodes walked over, nearest first. */
  readonly nodes: readonly Node[];
}

/** Walk up from `v` over pass-through producers (see isPassThrough). */
export function stripUp(v: Value, options: { reshape?: boolean } = {}): Stripped {
  const nodes: Node[] = [];
  let cur = v;
  for (;;) {
    const p = cur.producer;
    if (p === null || !isPassThrough(p, options) || p.outputs[0] !== cur) break;
    const next = p.input(0);
    if (!next) break;
    nodes.push(p);
    cur = next;
  }
  return { value: cur, nodes };
}

/** True when `a` and `b` carry the same data (equal after stripping pass-through producers). */
export function sameData(a: Value | null, b: Value | null, options: { reshape?: boolean } = {}): boolean {
  if (!a || !b) return false;
  return stripUp(a, options).value === stripUp(b, options).value;
}

/** The producer of `v` after stripping pass-through nodes, when it is `opType` (default domain). */
export function producerOp(
  v: Value | null,
  opType: string,
  domain = '',
): { node: Node; skipped: readonly Node[] } | undefined {
  if (!v) return undefined;
  const s = stripUp(v);
  const p = s.value.producer;
  if (p === null || p.opType !== opType || p.domain !== domain) return undefined;
  return { node: p, skipped: s.nodes };
}

export interface ConsumerUse {
  readonly node: Node;
  readonly index: number;
  /** Pass-through nodes between the value and this consumer. */
  readonly via: readonly Node[];
}

/**
 * The nodes that read `v`, looking through pass-through consumers (Dropout, Identity, float Cast;
 * with `reshape`, Reshape too). Shape and Size consumers are left out: they read only the shape.
 */
export function dataConsumers(v: Value, options: { reshape?: boolean } = {}): ConsumerUse[] {
  const out: ConsumerUse[] = [];
  const visit = (value: Value, via: Node[], depth: number) => {
    for (const u of value.uses) {
      const n = u.node;
      if (n.domain === '' && (n.opType === 'Shape' || n.opType === 'Size')) continue;
      if (u.index === 0 && depth < 8 && isPassThrough(n, options) && n.outputs[0]) {
        visit(n.outputs[0], [...via, n], depth + 1);
        continue;
      }
      out.push({ node: n, index: u.index, via });
    }
  };
  visit(v, [], 0);
  return out;
}

/** The two inputs of a binary node in both orders, for commutative matching. */
export function bothOrders(node: Node): [Value, Value][] {
  const a = node.input(0);
  const b = node.input(1);
  if (!a || !b) return [];
  return [
    [a, b],
    [b, a],
  ];
}
