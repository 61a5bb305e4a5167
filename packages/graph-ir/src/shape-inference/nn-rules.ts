import type { DataType } from '../dtype.js';
import type { Dim } from '../value.js';
import { broadcastShapes, dimProduct, unifyDim } from './dims.js';
import type { InferContext, InferRule, OutputInfo } from './infer-context.js';

/** numpy.matmul shapes: 1-D operands are promoted and the added dim dropped; batch dims broadcast. */
export function matmulShape(
  ctx: InferContext,
  a: Dim[] | undefined,
  b: Dim[] | undefined,
  transA = false,
  transB = false,
): Dim[] | undefined {
  if (a === undefined || b === undefined) return undefined;
  if (a.length === 0 || b.length === 0) ctx.fail('MatMul operands must have rank >= 1');
  let x = a.length === 1 ? [1, a[0]!] : [...a];
  let y = b.length === 1 ? [b[0]!, 1] : [...b];
  if (transA) x = [...x.slice(0, -2), x[x.length - 1]!, x[x.length - 2]!];
  if (transB) y = [...y.slice(0, -2), y[y.length - 1]!, y[y.length - 2]!];
  const k1 = x[x.length - 1]!;
  const k2 = y[y.length - 2]!;
  if (unifyDim(k1, k2) === undefined) ctx.fail(`inner dims differ: ${k1} vs ${k2}`);
  const batch = broadcastShapes([x.slice(0, -2), y.slice(0, -2)], (m) => ctx.fail(m))!;
  const out = [...batch];
  if (a.length !== 1) out.push(x[x.length - 2]!);
  if (b.length !== 1) out.push(y[y.length - 1]!);
  return out;
}

const matmul =
  (dtype?: DataType | ((ctx: InferContext) => DataType | undefined)): InferRule =>
  (ctx) => [
    {
      dtype: typeof dtype === 'function' ? dtype(ctx) : (dtype ?? ctx.dtype(0)),
      shape: matmulShape(ctx, ctx.shape(0), ctx.shape(1)),
    },
  ];

function gemm(ctx: InferContext): OutputInfo[] {
  const a = ctx.shape(0);
  const b = ctx.shape(1);
  if (a === undefined || b === undefined) return [{ dtype: ctx.dtype(0) }];
  if (a.length !== 2 || b.length !== 2)
    ctx.fail(`Gemm needs 2-D operands, got ranks ${a.length} and ${b.length}`);
  const ta = ctx.node.attrInt('transA', 0) === 1;
  const tb = ctx.node.attrInt('transB', 0) === 1;
  const [m, k1] = ta ? [a[1]!, a[0]!] : [a[0]!, a[1]!];
  const [k2, n] = tb ? [b[1]!, b[0]!] : [b[0]!, b[1]!];
  if (unifyDim(k1, k2) === undefined) ctx.fail(`inner dims differ: ${k1} vs ${k2}`);
  return [{ dtype: ctx.dtype(0), shape: [m, n] }];
}

/** LayerNormalization: Y like X; Mean and InvStdDev keep X's dims before `axis` and 1s after, in stash_type (float32). */
function layerNorm(ctx: InferContext): OutputInfo[] {
  const x = ctx.shape(0);
  const stats: OutputInfo = { dtype: 'float32' };
  if (x !== undefined) {
    const axis = ctx.axis(ctx.node.attrInt('axis', -1), x.length);
    stats.shape = x.map((d, i) => (i < axis ? d : 1));
  }
  return [{ dtype: ctx.dtype(0), shape: x }, stats, stats];
}

function reduceAxes(ctx: InferContext, rank: number): number[] | undefined | 'unknown' {
  const op = ctx.node.opType;
  const sinceInput = op === 'ReduceSum' ? 13 : 18;
  let axes: number[] | undefined;
  if (ctx.opset >= sinceInput) {
    if (ctx.has(1)) {
      const a = ctx.numbers(1);
      if (a === undefined) return 'unknown';
      axes = a;
    }
  } else if (ctx.node.attributes.has('axes')) axes = ctx.node.attrInts('axes');
  if (axes === undefined || axes.length === 0) {
    if (ctx.opset >= sinceInput && ctx.node.attrInt('noop_with_empty_axes', 0) === 1) return undefined;
    return Array.from({ length: rank }, (_, i) => i);
  }
  return axes.map((a) => ctx.axis(a, rank, 'axes'));
}

function reduce(ctx: InferContext): OutputInfo[] {
  const x = ctx.shape(0);
  const dtype = ctx.dtype(0);
  if (x === undefined) return [{ dtype }];
  const axes = reduceAxes(ctx, x.length);
  if (axes === undefined) return [{ dtype, shape: x }];
  const keep = ctx.node.attrInt('keepdims', 1) === 1;
  if (axes === 'unknown') return [{ dtype, shape: keep ? x.map(() => null) : undefined }];
  const set = new Set(axes);
  const shape = keep ? x.map((d, i) => (set.has(i) ? 1 : d)) : x.filter((_, i) => !set.has(i));
  const info: OutputInfo = { dtype, shape };
  // ReduceProd of a shape value: the product of its elements (TF exporters build Reshape targets this way).
  const e = ctx.elements(0);
  if (ctx.node.opType === 'ReduceProd' && e && shape.length <= 1 && x.length === 1) {
    info.elements = [dimProduct(e)];
  }
  return [info];
}

function argReduce(ctx: InferContext): OutputInfo[] {
  const x = ctx.shape(0);
  if (x === undefined) return [{ dtype: 'int64' }];
  const axis = ctx.axis(ctx.node.attrInt('axis', 0), x.length);
  const keep = ctx.node.attrInt('keepdims', 1) === 1;
  return [
    { dtype: 'int64', shape: keep ? x.map((d, i) => (i === axis ? 1 : d)) : x.filter((_, i) => i !== axis) },
  ];
}

/** Einsum: letters bind dims across operands; the output follows `->` or, implicitly, the letters used once, sorted. */
function einsum(ctx: InferContext): OutputInfo[] {
  const dtype = ctx.dtype(0);
  const eq = ctx.node.attrString('equation').replace(/\s/g, '');
  const [lhs, rhs] = eq.split('->') as [string, string | undefined];
  const terms = lhs.split(',');
  const dims = new Map<string, Dim>();
  const count = new Map<string, number>();
  let ellipsis: Dim[] | undefined;
  for (let i = 0; i < terms.length; i++) {
    const shape = ctx.shape(i);
    if (shape === undefined) return [{ dtype }];
    const term = terms[i]!;
    const at = term.indexOf('...');
    const letters = term.replace('...', '');
    const ellRank = at < 0 ? 0 : shape.length - letters.length;
    if (ellRank < 0 || (at < 0 && letters.length !== shape.length))
      ctx.fail(`term '${term}' does not fit rank ${shape.length}`);
    if (at >= 0) {
      const e = shape.slice(at, at + ellRank);
      ellipsis = broadcastShapes([ellipsis ?? [], e], (m) => ctx.fail(m));
    }
    [...letters].forEach((c, k) => {
      const d = shape[k < at || at < 0 ? k : k + ellRank]!;
      const u = dims.has(c) ? unifyDim(dims.get(c)!, d) : d;
      if (u === undefined) ctx.fail(`letter '${c}' is ${dims.get(c)} and ${d}`);
      dims.set(c, u);
      count.set(c, (count.get(c) ?? 0) + 1);
    });
  }
  const out =
    rhs ??
    `${ellipsis ? '...' : ''}${[...count]
      .filter(([, n]) => n === 1)
      .map(([c]) => c)
      .sort()
      .join('')}`;
  const shape: Dim[] = [];
  const at = out.indexOf('...');
  [...out.replace('...', '')].forEach((c, k) => {
    if (k === at) shape.push(...(ellipsis ?? []));
    shape.push(dims.get(c) ?? null);
  });
  if (at >= 0 && at === out.length - 3) shape.push(...(ellipsis ?? []));
  return [{ dtype, shape }];
}

export const nnRules: Record<string, InferRule> = {
  Einsum: einsum,
  MatMul: matmul(),
  MatMulInteger: matmul('int32'),
  Gemm: gemm,
  LayerNormalization: layerNorm,
  ReduceMean: reduce,
  ReduceSum: reduce,
  ReduceProd: reduce,
  ReduceMax: reduce,
  ReduceMin: reduce,
  ReduceL2: reduce,
  ReduceSumSquare: reduce,
  ArgMax: argReduce,
  ArgMin: argReduce,
  DynamicQuantizeLinear: (ctx) => [
    { dtype: 'uint8', shape: ctx.shape(0) },
    { dtype: 'float32', shape: [] },
    { dtype: 'uint8', shape: [] },
  ],
  QuantizeLinear: (ctx) => [{ dtype: ctx.has(2) ? ctx.dtype(2) : 'uint8', shape: ctx.shape(0) }],
  DequantizeLinear: (ctx) => [{ dtype: ctx.dtype(1), shape: ctx.shape(0) }],
};

export { matmul as matmulRule };
