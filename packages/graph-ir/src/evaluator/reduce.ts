import type { DataType } from '../dtype.js';
import type { Kernel, KernelContext } from './kernel.js';
import {
  elementReader,
  elementWriter,
  isBigIntType,
  normalizeAxis,
  readInts,
  stridesOf,
} from './tensor-util.js';

type Scalar = number | bigint;
type Reducer = { init: (big: boolean) => Scalar; step: (acc: Scalar, v: Scalar) => Scalar; mean?: boolean };

const REDUCERS: Record<string, Reducer> = {
  ReduceSum: { init: (big) => (big ? 0n : 0), step: (a, v) => (a as number) + (v as number) },
  ReduceProd: { init: (big) => (big ? 1n : 1), step: (a, v) => (a as number) * (v as number) },
  ReduceMean: { init: (big) => (big ? 0n : 0), step: (a, v) => (a as number) + (v as number), mean: true },
  ReduceMax: {
    init: (big) => (big ? -(2n ** 63n) : Number.NEGATIVE_INFINITY),
    // biome-ignore lint/complexity/useMathMinMax: the operands may be bigints
    step: (a, v) => (v > a ? v : a),
  },
  ReduceMin: {
    init: (big) => (big ? 2n ** 63n - 1n : Number.POSITIVE_INFINITY),
    // biome-ignore lint/complexity/useMathMinMax: the operands may be bigints
    step: (a, v) => (v < a ? v : a),
  },
};

const NUMERIC: ReadonlySet<DataType> = new Set([
  'float32',
  'float64',
  'float16',
  'int32',
  'int64',
  'uint32',
  'uint64',
]);

/** Axes of a reduction: an attribute until the op moved them to input 1 (ReduceSum at 13, the others at 18). */
function reduceAxes(ctx: KernelContext, rank: number): number[] | undefined {
  const asInput = ctx.opset >= (ctx.node.opType === 'ReduceSum' ? 13 : 18);
  let axes: number[] | undefined;
  if (asInput) {
    const t = ctx.optional(1);
    axes = t && readInts(ctx, t, 'axes');
  } else if (ctx.node.attributes.has('axes')) axes = ctx.node.attrInts('axes');
  if (axes === undefined || axes.length === 0) {
    if (asInput && ctx.node.attrInt('noop_with_empty_axes', 0) === 1) return undefined;
    return Array.from({ length: rank }, (_, i) => i);
  }
  return [...new Set(axes.map((a) => normalizeAxis(ctx, a, rank, 'axes')))];
}

/** ReduceSum, ReduceProd, ReduceMean, ReduceMax and ReduceMin (axes, keepdims, noop_with_empty_axes). */
function reduceKernel(reducer: Reducer): Kernel {
  return (ctx) => {
    const x = ctx.input(0);
    if (!NUMERIC.has(x.dtype)) return undefined;
    const axes = reduceAxes(ctx, x.rank);
    if (axes === undefined) return [x];
    const keep = ctx.node.attrInt('keepdims', 1) === 1;
    const reduced = new Set(axes);
    const keptDims = x.dims.map((d, i) => (reduced.has(i) ? 1 : d));
    const dims = keep ? keptDims : x.dims.filter((_, i) => !reduced.has(i));
    const out = ctx.alloc(x.dtype, dims);
    const big = isBigIntType(x.dtype);
    const acc = new Array<Scalar>(out.size).fill(reducer.init(big));
    const count = new Array<number>(out.size).fill(0);
    const read = elementReader(x);
    const outStrides = stridesOf(keptDims);
    const inStrides = stridesOf(x.dims);
    for (let i = 0; i < x.size; i++) {
      let o = 0;
      for (let k = 0; k < x.rank; k++) {
        if (reduced.has(k)) continue;
        o += (Math.floor(i / inStrides[k]!) % x.dims[k]!) * outStrides[k]!;
      }
      acc[o] = reducer.step(acc[o]!, read(i));
      count[o]!++;
    }
    const write = elementWriter(out);
    for (let o = 0; o < out.size; o++) {
      let v = acc[o]!;
      if (reducer.mean) v = typeof v === 'bigint' ? v / BigInt(count[o]!) : (v as number) / count[o]!;
      if (typeof v === 'bigint') v = x.dtype === 'uint64' ? BigInt.asUintN(64, v) : BigInt.asIntN(64, v);
      write(o, v);
    }
    return [out];
  };
}

export const reduceKernels: Record<string, Kernel> = Object.fromEntries(
  Object.entries(REDUCERS).map(([op, r]) => [op, reduceKernel(r)]),
);
