import type { Node, Value } from '@bert-neuron/graph-ir';
import type { GeluForm } from '../bert-config.js';
import { isConstant, near, scalarOf } from './constant-value.js';
import { NodeCollector } from './node-collector.js';
import { bothOrders, sameData, stripUp } from './pass-through.js';
import { resolveVector, type WeightRef } from './weight-ref.js';

/** A GELU activation found in the graph. */
export interface GeluMatch {
  readonly input: Value;
  readonly output: Value;
  readonly form: GeluForm;
  /** `decomposed` for elementary ops, else the com.microsoft op that computes it. */
  readonly op: 'decomposed' | 'Gelu' | 'FastGelu' | 'BiasGelu' | 'QuickGelu';
  /** BiasGelu/FastGelu with a bias input: the dense bias added inside the activation. */
  readonly bias: WeightRef | null;
  readonly nodes: readonly Node[];
}

const SQRT1_2 = Math.SQRT1_2;
const TANH_SCALE = Math.sqrt(2 / Math.PI);
const TANH_CUBIC = 0.044715;
const SIGMOID_SCALE = 1.702;

interface Product {
  /** Non-constant factors. */
  readonly leaves: Value[];
  /** Product of the constant factors. */
  readonly k: number;
  readonly nodes: NodeCollector;
}

/**
 * Flatten a product: Mul nodes (and Div by a constant) are opened while their result feeds only
 * this product; constants multiply into k. `0.5 * x * (1 + erf(x / sqrt2))` in any association
 * gives leaves [x, 1 + erf(..)] and k = 0.5.
 */
function flattenProduct(v: Value, top = true): Product {
  const nodes = new NodeCollector();
  const leaves: Value[] = [];
  let k = 1;
  const visit = (cur: Value, isTop: boolean) => {
    const c = scalarOf(cur);
    if (c !== undefined) {
      k *= c;
      nodes.addConstant(cur);
      return;
    }
    const s = stripUp(cur);
    const p = s.value.producer;
    const private_ = isTop || (s.value.uses.length === 1 && !s.value.isGraphOutput);
    if (p !== null && p.domain === '' && private_ && (p.opType === 'Mul' || p.opType === 'Div')) {
      const b = p.input(1);
      if (p.opType === 'Mul' && p.input(0) && b) {
        nodes.addAll(s.nodes).add(p);
        visit(p.input(0)!, false);
        visit(b, false);
        return;
      }
      const d = scalarOf(b);
      if (p.opType === 'Div' && p.input(0) && d !== undefined && d !== 0) {
        nodes.addAll(s.nodes).add(p).addConstant(b);
        k /= d;
        visit(p.input(0)!, false);
        return;
      }
    }
    leaves.push(cur);
  };
  visit(v, top);
  return { leaves, k, nodes };
}

/** `Add(f, 1)` in either order; returns f. */
function onePlus(v: Value, c: NodeCollector): Value | undefined {
  const s = stripUp(v);
  const p = s.value.producer;
  if (p === null || p.opType !== 'Add' || p.domain !== '') return undefined;
  for (const [a, b] of bothOrders(p)) {
    if (near(scalarOf(b), 1, 1e-6) && !isConstant(a)) {
      c.addAll(s.nodes).add(p).addConstant(b);
      return a;
    }
  }
  return undefined;
}

function unaryOf(v: Value, op: string, c: NodeCollector): Value | undefined {
  const s = stripUp(v);
  const p = s.value.producer;
  if (p === null || p.opType !== op || p.domain !== '' || !p.input(0)) return undefined;
  c.addAll(s.nodes).add(p);
  return p.input(0)!;
}

/** `x * k` with k ~ `scale`: returns x. */
function scaled(v: Value, scale: number, c: NodeCollector): Value | undefined {
  const p = flattenProduct(v);
  if (p.leaves.length !== 1 || !near(p.k, scale)) return undefined;
  c.addAll(p.nodes.nodes);
  return p.leaves[0];
}

/** `x + 0.044715 * x^3` (Pow(x, 3) or x*x*x); returns x. */
function cubicInner(v: Value, c: NodeCollector): Value | undefined {
  const s = stripUp(v);
  const add = s.value.producer;
  if (add === null || add.opType !== 'Add' || add.domain !== '') return undefined;
  for (const [x, t] of bothOrders(add)) {
    const cc = new NodeCollector();
    const p = flattenProduct(t, false);
    if (!near(p.k, TANH_CUBIC)) continue;
    cc.addAll(p.nodes.nodes);
    let ok = false;
    if (p.leaves.length === 3) ok = p.leaves.every((l) => sameData(l, x));
    else if (p.leaves.length === 1) {
      const ps = stripUp(p.leaves[0]!);
      const pow = ps.value.producer;
      if (pow?.opType === 'Pow' && scalarOf(pow.input(1)) === 3 && sameData(pow.input(0), x)) {
        cc.addAll(ps.nodes).add(pow).addConstant(pow.input(1));
        ok = true;
      }
    }
    if (ok) {
      c.addAll(s.nodes).add(add).addAll(cc.nodes);
      return x;
    }
  }
  return undefined;
}

/** The cumulative-distribution factor of a GELU, given the candidate input x. */
function cdfForm(cdf: Value, x: Value, c: NodeCollector): { form: GeluForm; k: number } | undefined {
  const cc = new NodeCollector();
  const sig = unaryOf(cdf, 'Sigmoid', cc);
  if (sig) {
    const inner = scaled(sig, SIGMOID_SCALE, cc);
    if (inner && sameData(inner, x)) {
      c.addAll(cc.nodes);
      return { form: 'sigmoid', k: 1 };
    }
    return undefined;
  }
  const f = onePlus(cdf, cc);
  if (!f) return undefined;
  const erfIn = unaryOf(f, 'Erf', cc);
  if (erfIn) {
    const inner = scaled(erfIn, SQRT1_2, cc);
    if (inner && sameData(inner, x)) {
      c.addAll(cc.nodes);
      return { form: 'erf', k: 0.5 };
    }
    return undefined;
  }
  const tanhIn = unaryOf(f, 'Tanh', cc);
  if (tanhIn) {
    const p = flattenProduct(tanhIn);
    if (p.leaves.length !== 1 || !near(p.k, TANH_SCALE)) return undefined;
    cc.addAll(p.nodes.nodes);
    const inner = cubicInner(p.leaves[0]!, cc);
    if (inner && sameData(inner, x)) {
      c.addAll(cc.nodes);
      return { form: 'tanh', k: 0.5 };
    }
  }
  return undefined;
}

function matchFused(y: Value): GeluMatch | undefined {
  const s = stripUp(y);
  const p = s.value.producer;
  if (p === null) return undefined;
  const x = p.input(0);
  if (!x) return undefined;
  const nodes = new NodeCollector().addAll(s.nodes).add(p);
  if (p.domain === '' && p.opType === 'Gelu') {
    // ONNX Gelu (opset 20): approximate 'none' (erf) or 'tanh'
    const approximate = p.attrString('approximate', 'none');
    const form = approximate === 'tanh' ? 'tanh' : approximate === 'none' ? 'erf' : undefined;
    return form ? { input: x, output: y, form, op: 'Gelu', bias: null, nodes: nodes.nodes } : undefined;
  }
  if (p.domain !== 'com.microsoft') return undefined;
  const biasOf = (v: Value | null) => (v ? (resolveVector(v) ?? undefined) : null);
  switch (p.opType) {
    case 'Gelu':
      return { input: x, output: y, form: 'erf', op: 'Gelu', bias: null, nodes: nodes.nodes };
    case 'BiasGelu':
    case 'FastGelu': {
      const bias = biasOf(p.input(1));
      if (bias === undefined) return undefined;
      nodes.addAll(bias?.nodes ?? []);
      const form = p.opType === 'BiasGelu' ? 'erf' : 'tanh';
      return { input: x, output: y, form, op: p.opType, bias, nodes: nodes.nodes };
    }
    case 'QuickGelu':
      if (!near(p.attrFloat('alpha', 1.702), SIGMOID_SCALE)) return undefined;
      return { input: x, output: y, form: 'sigmoid', op: 'QuickGelu', bias: null, nodes: nodes.nodes };
    default:
      return undefined;
  }
}

/**
 * The GELU whose output is `y`, matched upward. Accepted: the erf form
 * `x * 0.5 * (1 + Erf(x / sqrt2))` (or `* (1/sqrt2)`), the tanh form
 * `0.5 * x * (1 + Tanh(sqrt(2/pi) * (x + 0.044715 * x^3)))` (Pow(x, 3) or x*x*x), and
 * `x * Sigmoid(1.702 * x)`, with the products associated in any order; ONNX Gelu (opset 20);
 * com.microsoft Gelu, FastGelu, BiasGelu and QuickGelu(alpha 1.702).
 */
export function matchGeluUp(y: Value): GeluMatch | undefined {
  const fused = matchFused(y);
  if (fused) return fused;
  const prod = flattenProduct(y);
  if (prod.leaves.length !== 2) return undefined;
  for (const [x, cdf] of [
    [prod.leaves[0]!, prod.leaves[1]!],
    [prod.leaves[1]!, prod.leaves[0]!],
  ] as const) {
    const c = new NodeCollector().addAll(prod.nodes.nodes);
    const f = cdfForm(cdf, x, c);
    if (f && near(prod.k, f.k)) {
      return { input: x, output: y, form: f.form, op: 'decomposed', bias: null, nodes: c.nodes };
    }
  }
  return undefined;
}
