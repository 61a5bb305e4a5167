import { dataTypeFromOnnx, isFloatType, type Node, Tensor, type Value } from '@bert-neuron/graph-ir';

/** A constant found behind a value, with the Value that stores it and the nodes computed on the way. */
export interface ResolvedConstant {
  /** The constant as the graph computes it (dtype after any Cast). */
  readonly tensor: Tensor;
  /** The initializer or Constant-node output that stores the data. */
  readonly source: Value;
  /** Nodes between `source` and the value asked about (Constant, Cast, Identity, Sqrt, ...). */
  readonly nodes: readonly Node[];
}

const MAX_DEPTH = 8;

function unary(op: string, x: number): number | undefined {
  switch (op) {
    case 'Sqrt':
      return Math.sqrt(x);
    case 'Reciprocal':
      return 1 / x;
    case 'Neg':
      return -x;
    case 'Identity':
      return x;
    default:
      return undefined;
  }
}

function binary(op: string, a: number, b: number): number | undefined {
  switch (op) {
    case 'Add':
      return a + b;
    case 'Sub':
      return a - b;
    case 'Mul':
      return a * b;
    case 'Div':
      return a / b;
    case 'Pow':
      return a ** b;
    default:
      return undefined;
  }
}

function withDtype(t: Tensor, dtype: Tensor['dtype']): Tensor {
  if (t.dtype === dtype) return t;
  if (dtype === 'float32') return Tensor.from('float32', t.dims, t.toFloat32());
  return Tensor.fromNumbers(dtype, t.dims, t.toNumbers());
}

/**
 * The constant behind `v`, if it is one: an initializer, a Constant node, or a small computation
 * on constants the exporters leave in the graph: Cast (ORT's fp16 -> fp32 weight casts), Identity,
 * Sqrt/Reciprocal/Neg (keras2onnx's `Sqrt(4)` score scale), elementwise Add/Sub/Mul/Div/Pow of a
 * tensor and a one-element constant, and Squeeze/Unsqueeze/Reshape of one-element constants.
 * Nothing is written to the graph.
 */
export function resolveConstant(v: Value | null | undefined, depth = 0): ResolvedConstant | undefined {
  if (!v) return undefined;
  const cached = CACHE.get(v);
  if (cached && cached.producer === v.producer && cached.result?.source.constant === cached.sourceTensor)
    return cached.result ?? undefined;
  const result = compute(v, depth);
  // Only computed constants are worth caching (a float16 weight cast to float32 is converted once).
  if (result && result.nodes.length > 1)
    CACHE.set(v, { producer: v.producer, result, sourceTensor: result.source.constant });
  return result;
}

interface CacheEntry {
  readonly producer: Node | null;
  readonly result: ResolvedConstant | null;
  readonly sourceTensor: Tensor | undefined;
}

/** Results for values computed from constants, checked against the producer and stored tensor on reuse. */
const CACHE = new WeakMap<Value, CacheEntry>();

function compute(v: Value, depth: number): ResolvedConstant | undefined {
  const direct = v.constant;
  if (direct !== undefined) {
    const p = v.producer;
    return { tensor: direct, source: v, nodes: p ? [p] : [] };
  }
  const p = v.producer;
  if (p === null || depth > MAX_DEPTH || p.domain !== '') return undefined;
  const op = p.opType;
  if (op === 'Cast') {
    const inner = resolveConstant(p.input(0), depth + 1);
    if (!inner) return undefined;
    const to = dataTypeFromOnnx(p.attrInt('to'), p.describe());
    if (to === 'string' || inner.tensor.dtype === 'string') return undefined;
    return { tensor: withDtype(inner.tensor, to), source: inner.source, nodes: [...inner.nodes, p] };
  }
  if (op === 'Identity' || op === 'Sqrt' || op === 'Reciprocal' || op === 'Neg') {
    const inner = resolveConstant(p.input(0), depth + 1);
    if (!inner) return undefined;
    if (op === 'Identity') return { ...inner, nodes: [...inner.nodes, p] };
    if (!isFloatType(inner.tensor.dtype)) return undefined;
    const values = inner.tensor.toNumbers().map((x) => unary(op, x)!);
    return {
      tensor: Tensor.fromNumbers(inner.tensor.dtype, inner.tensor.dims, values),
      source: inner.source,
      nodes: [...inner.nodes, p],
    };
  }
  if (op === 'Squeeze' || op === 'Unsqueeze' || op === 'Reshape') {
    const inner = resolveConstant(p.input(0), depth + 1);
    if (inner?.tensor.size !== 1) return undefined;
    const dims = v.shape?.every((d) => typeof d === 'number') ? (v.shape as number[]) : [];
    const shapeConstants = p.inputs
      .slice(1)
      .map((i) => i?.producer)
      .filter((n): n is Node => !!n && n.opType === 'Constant');
    return {
      tensor: Tensor.from(inner.tensor.dtype, dims, inner.tensor.clone().data),
      source: inner.source,
      nodes: [...inner.nodes, ...shapeConstants, p],
    };
  }
  if (op === 'Add' || op === 'Sub' || op === 'Mul' || op === 'Div' || op === 'Pow') {
    const a = resolveConstant(p.input(0), depth + 1);
    const b = resolveConstant(p.input(1), depth + 1);
    if (!a || !b || !isFloatType(a.tensor.dtype) || a.tensor.dtype !== b.tensor.dtype) return undefined;
    if (a.tensor.size !== 1 && b.tensor.size !== 1 && a.tensor.size !== b.tensor.size) return undefined;
    const big = a.tensor.size >= b.tensor.size ? a.tensor : b.tensor;
    const av = a.tensor.toNumbers();
    const bv = b.tensor.toNumbers();
    const out = big
      .toNumbers()
      .map((_, i) => binary(op, av[av.length === 1 ? 0 : i]!, bv[bv.length === 1 ? 0 : i]!)!);
    const source = a.tensor.size >= b.tensor.size ? a.source : b.source;
    return {
      tensor: Tensor.fromNumbers(big.dtype, big.dims, out),
      source,
      nodes: [...a.nodes, ...b.nodes, p],
    };
  }
  return undefined;
}

/** The single number behind `v` when it is a one-element constant (rank 0 or [1], [1,1], ...). */
export function scalarOf(v: Value | null | undefined): number | undefined {
  const c = resolveConstant(v);
  if (c?.tensor.size !== 1 || c.tensor.dtype === 'string') return undefined;
  return c.tensor.getNumber(0);
}

/** True when `v` is a constant (see resolveConstant). */
export function isConstant(v: Value | null | undefined): boolean {
  return resolveConstant(v) !== undefined;
}

/** Relative closeness for constants that went through float32/float16 rounding. */
export function near(a: number | undefined, b: number, rel = 1e-3): boolean {
  return a !== undefined && Math.abs(a - b) <= rel * Math.max(Math.abs(b), 1e-30);
}
