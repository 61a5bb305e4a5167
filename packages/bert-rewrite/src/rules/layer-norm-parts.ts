// Recognizers for the pieces of a decomposed LayerNorm, shared by the torch and TF fusions.
import type { Node, Value } from '@bert-neuron/graph-ir';
import { isScalarNear, scalarValue } from './constant-scalar.js';
import { isLastAxisMean } from './last-axis-mean.js';

const producer = (v: Value | null | undefined, opType: string): Node | undefined => {
  const p = v?.producer;
  return p !== null && p !== undefined && p.opType === opType && p.domain === '' ? p : undefined;
};

/**
 * `x - mean(x)` behind `d`: a Sub(x, m) where m is `mean` or another last-axis ReduceMean of x
 * (bert_toy writes the centering twice). Returns the nodes (Sub, and the other mean).
 */
function centeredOf(d: Value | null, x: Value, mean: Value): Node[] | undefined {
  const sub = producer(d, 'Sub');
  if (sub === undefined || sub.input(0) !== x) return undefined;
  const m = sub.input(1);
  if (m === mean) return [sub];
  const other = producer(m, 'ReduceMean');
  return other !== undefined && isLastAxisMean(other, x) ? [sub, other] : undefined;
}

/** `ReduceMean((x - mean)^2)` over the last axis, squared as Pow(d, 2) or Mul(d, d). */
function varianceOf(v: Value | null, x: Value, mean: Value): Node[] | undefined {
  const rm = producer(v, 'ReduceMean');
  const sq = rm?.input(0);
  if (rm === undefined || !sq || !isLastAxisMean(rm, sq)) return undefined;
  const pow = producer(sq, 'Pow');
  if (pow !== undefined && isScalarNear(pow.input(1), 2)) {
    const c = centeredOf(pow.input(0), x, mean);
    return c && [rm, pow, ...c];
  }
  const mul = producer(sq, 'Mul');
  if (mul !== undefined && mul.input(0) === mul.input(1)) {
    const c = centeredOf(mul.input(0), x, mean);
    return c && [rm, mul, ...c];
  }
  return undefined;
}

/** `variance + eps` (either order): the epsilon and the nodes. */
export function variancePlusEps(
  v: Value | null,
  x: Value,
  mean: Value,
): { eps: number; nodes: Node[] } | undefined {
  const add = producer(v, 'Add');
  if (add === undefined) return undefined;
  for (const [a, b] of [
    [add.input(0), add.input(1)],
    [add.input(1), add.input(0)],
  ] as const) {
    const eps = scalarValue(b);
    if (eps === undefined || eps < 0) continue;
    const nodes = varianceOf(a, x, mean);
    if (nodes) return { eps, nodes: [add, ...nodes] };
  }
  return undefined;
}

/** `1 / sqrt(var + eps)` as Reciprocal(Sqrt(.)), Div(1, Sqrt(.)) or Pow(., -0.5). */
export function inverseStdDev(
  v: Value | null,
  x: Value,
  mean: Value,
): { eps: number; nodes: Node[] } | undefined {
  const rec = producer(v, 'Reciprocal');
  const div = producer(v, 'Div');
  const sqrtIn = rec ? rec.input(0) : div && isScalarNear(div.input(0), 1) ? div.input(1) : undefined;
  if (sqrtIn !== undefined) {
    const sqrt = producer(sqrtIn, 'Sqrt');
    const inner = sqrt && variancePlusEps(sqrt.input(0), x, mean);
    return inner && { eps: inner.eps, nodes: [(rec ?? div)!, sqrt!, ...inner.nodes] };
  }
  const pow = producer(v, 'Pow');
  if (pow !== undefined && isScalarNear(pow.input(1), -0.5)) {
    const inner = variancePlusEps(pow.input(0), x, mean);
    return inner && { eps: inner.eps, nodes: [pow, ...inner.nodes] };
  }
  return undefined;
}
