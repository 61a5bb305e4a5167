import type { Node, Value } from '@bert-neuron/graph-ir';
import { isConstant, near, scalarOf } from './constant-value.js';
import { NodeCollector } from './node-collector.js';
import { bothOrders, sameData, stripUp } from './pass-through.js';
import { isMeanOverLastAxis } from './reduce-axes.js';
import { resolveVector, type WeightRef } from './weight-ref.js';

/** How the LayerNorm is written in the graph. */
export type LayerNormForm = 'onnx' | 'contrib' | 'decomposed-torch' | 'decomposed-tf';

/** A LayerNorm over the last axis: (x - mean) / sqrt(var + eps) * gamma + beta. */
export interface LayerNormMatch {
  readonly input: Value;
  readonly output: Value;
  /** Null when the graph has no scale (gamma = 1). */
  readonly gamma: WeightRef | null;
  /** Null when the graph has no shift (beta = 0). */
  readonly beta: WeightRef | null;
  readonly epsilon: number;
  readonly form: LayerNormForm;
  readonly nodes: readonly Node[];
}

function producer(v: Value | null, op: string, c: NodeCollector): Node | undefined {
  if (!v) return undefined;
  const s = stripUp(v);
  const p = s.value.producer;
  if (p === null || p.domain !== '' || p.opType !== op) return undefined;
  c.addAll(s.nodes);
  return p;
}

/** `ReduceMean(x)` over the last axis; returns x. */
function meanOf(v: Value | null, c: NodeCollector): { x: Value; node: Node } | undefined {
  const m = producer(v, 'ReduceMean', c);
  const x = m?.input(0);
  if (!m || !x || !isMeanOverLastAxis(m, x)) return undefined;
  c.add(m);
  return { x, node: m };
}

/** `Sub(x, ReduceMean(x))`; returns x and the mean node. */
function centered(v: Value | null, c: NodeCollector): { x: Value; mean: Node } | undefined {
  const sub = producer(v, 'Sub', c);
  if (!sub) return undefined;
  const mean = meanOf(sub.input(1), c);
  if (!mean || !sameData(mean.x, sub.input(0))) return undefined;
  c.add(sub);
  return { x: mean.x, mean: mean.node };
}

/** `ReduceMean(d * d)` or `ReduceMean(Pow(d, 2))` with d = x - mean(x); returns x. */
function variance(v: Value | null, c: NodeCollector): { x: Value; mean: Node } | undefined {
  const m = producer(v, 'ReduceMean', c);
  if (!m) return undefined;
  const sq = m.input(0);
  if (!sq || !isMeanOverLastAxis(m, sq)) return undefined;
  c.add(m);
  const pow = producer(sq, 'Pow', c);
  if (pow) {
    if (scalarOf(pow.input(1)) !== 2) return undefined;
    c.add(pow).addConstant(pow.input(1));
    return centered(pow.input(0), c);
  }
  const mul = producer(sq, 'Mul', c);
  if (mul && mul.input(0) === mul.input(1)) {
    c.add(mul);
    return centered(mul.input(0), c);
  }
  return undefined;
}

/** `Sqrt(Add(var, eps))`; returns x and eps. */
function stdDev(v: Value | null, c: NodeCollector): { x: Value; eps: number; mean: Node } | undefined {
  const sqrt = producer(v, 'Sqrt', c);
  if (!sqrt) return undefined;
  c.add(sqrt);
  const add = producer(sqrt.input(0), 'Add', c);
  if (!add) return undefined;
  for (const [a, b] of bothOrders(add)) {
    const eps = scalarOf(b);
    if (eps === undefined) continue;
    const inner = new NodeCollector();
    const x = variance(a, inner);
    if (!x) continue;
    c.add(add).addConstant(b).addAll(inner.nodes);
    return { x: x.x, eps, mean: x.mean };
  }
  return undefined;
}

/** `1 / Sqrt(var + eps)` as Reciprocal(Sqrt(.)), Div(1, Sqrt(.)) or Pow(var + eps, -0.5). */
function invStdDev(v: Value | null, c: NodeCollector): { x: Value; eps: number; mean: Node } | undefined {
  const rec = producer(v, 'Reciprocal', c);
  if (rec) return stdDev(rec.input(0), c.add(rec));
  const div = producer(v, 'Div', c);
  if (div && near(scalarOf(div.input(0)), 1, 1e-6))
    return stdDev(div.input(1), c.add(div).addConstant(div.input(0)));
  const pow = producer(v, 'Pow', c);
  if (pow && near(scalarOf(pow.input(1)), -0.5, 1e-6)) {
    c.add(pow).addConstant(pow.input(1));
    const add = producer(pow.input(0), 'Add', c);
    if (!add) return undefined;
    for (const [a, b] of bothOrders(add)) {
      const eps = scalarOf(b);
      const inner = new NodeCollector();
      const x = eps === undefined ? undefined : variance(a, inner);
      if (x && eps !== undefined) {
        c.add(add).addConstant(b).addAll(inner.nodes);
        return { x: x.x, eps, mean: x.mean };
      }
    }
  }
  return undefined;
}

/** Split `y` = op(a, const vector) into the non-constant side and the vector (either order). */
function affine(
  y: Value,
  op: 'Add' | 'Mul',
  c: NodeCollector,
): { inner: Value; w: WeightRef; node: Node } | undefined {
  const s = stripUp(y);
  const p = s.value.producer;
  if (p === null || p.domain !== '' || p.opType !== op) return undefined;
  for (const [a, b] of bothOrders(p)) {
    if (isConstant(a)) continue;
    const w = resolveVector(b);
    if (w) {
      c.addAll(s.nodes).add(p).addAll(w.nodes);
      return { inner: a, w, node: p };
    }
  }
  return undefined;
}

/**
 * torch's decomposed LayerNorm: `Add(Mul(Div(x - mean, Sqrt(var + eps)), gamma), beta)` with
 * var = ReduceMean(Pow(x - mean, 2)); the two `x - mean` may be separate Sub nodes (bert_toy), Mul
 * and Add may have their operands in either order, gamma and beta may be missing.
 */
function matchTorch(y: Value): LayerNormMatch | undefined {
  const c = new NodeCollector();
  let cur = y;
  const shift = affine(cur, 'Add', c);
  if (shift) cur = shift.inner;
  const scale = affine(cur, 'Mul', c);
  if (scale) cur = scale.inner;
  const div = producer(cur, 'Div', c);
  if (!div) return undefined;
  c.add(div);
  const num = centered(div.input(0), c);
  const den = num ? stdDev(div.input(1), c) : undefined;
  if (!num || !den || !sameData(num.x, den.x)) return undefined;
  return {
    input: num.x,
    output: y,
    gamma: scale?.w ?? null,
    beta: shift?.w ?? null,
    epsilon: den.eps,
    form: 'decomposed-torch',
    nodes: c.nodes,
  };
}

/**
 * TF's batch_normalization form (google-research BERT, keras2onnx, tf2onnx):
 * `Add(Mul(x, m), Sub(beta, Mul(mean, m)))` with m = Mul(Reciprocal(Sqrt(var + eps)), gamma),
 * var = ReduceMean((x - mean) * (x - mean)). Operands of Add and Mul in either order.
 */
function matchTf(y: Value): LayerNormMatch | undefined {
  const s = stripUp(y);
  const add = s.value.producer;
  if (add === null || add.opType !== 'Add' || add.domain !== '') return undefined;
  for (const [a, b] of bothOrders(add)) {
    const c = new NodeCollector().addAll(s.nodes).add(add);
    const xm = producer(a, 'Mul', c);
    const sub = producer(b, 'Sub', c);
    if (!xm || !sub) continue;
    const beta = resolveVector(sub.input(0));
    const meanM = producer(sub.input(1), 'Mul', c);
    if (!beta || !meanM) continue;
    for (const [x, m] of bothOrders(xm)) {
      // m is shared by x*m and mean*m
      let mean: Value | null = null;
      if (meanM.input(0) === m) mean = meanM.input(1);
      else if (meanM.input(1) === m) mean = meanM.input(0);
      if (!mean) continue;
      const cc = new NodeCollector().addAll(c.nodes).add(xm, sub, meanM).addAll(beta.nodes);
      const meanNode = meanOf(mean, cc);
      if (!meanNode || !sameData(meanNode.x, x)) continue;
      let gamma: WeightRef | null = null;
      let inv: Value = m;
      const scale = affine(m, 'Mul', cc);
      if (scale) {
        gamma = scale.w;
        inv = scale.inner;
      }
      const den = invStdDev(inv, cc);
      if (!den || !sameData(den.x, x)) continue;
      return { input: x, output: y, gamma, beta, epsilon: den.eps, form: 'decomposed-tf', nodes: cc.nodes };
    }
  }
  return undefined;
}

/** ONNX `LayerNormalization` (opset 17) or com.microsoft `LayerNormalization` over the last axis. */
function matchFused(y: Value): LayerNormMatch | undefined {
  const s = stripUp(y);
  const p = s.value.producer;
  if (p === null || p.opType !== 'LayerNormalization' || p.outputs[0] !== s.value) return undefined;
  if (p.domain !== '' && p.domain !== 'com.microsoft') return undefined;
  const x = p.input(0);
  if (!x) return undefined;
  const axis = p.attrInt('axis', -1);
  const rank = x.shape?.length;
  if (axis !== -1 && (rank === undefined || axis !== rank - 1)) return undefined;
  const gamma = resolveVector(p.input(1));
  const beta = p.input(2) ? resolveVector(p.input(2)) : null;
  if (!gamma || beta === undefined) return undefined;
  const c = new NodeCollector()
    .addAll(s.nodes)
    .add(p)
    .addAll(gamma.nodes)
    .addAll(beta?.nodes ?? []);
  return {
    input: x,
    output: y,
    gamma,
    beta,
    epsilon: p.attrFloat('epsilon', 1e-5),
    form: p.domain === '' ? 'onnx' : 'contrib',
    nodes: c.nodes,
  };
}

/** The LayerNorm (any supported form) whose output is `y`, matched upward. */
export function matchLayerNormUp(y: Value): LayerNormMatch | undefined {
  return matchFused(y) ?? matchTorch(y) ?? matchTf(y);
}
