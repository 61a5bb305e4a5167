import type { DataType } from '../dtype.js';
import type { Kernel, KernelContext } from './kernel.js';
import { elementReader, elementWriter } from './tensor-util.js';

type Scalar = number | bigint;

const FLOATS: ReadonlySet<DataType> = new Set(['float32', 'float64', 'float16', 'bfloat16']);
const SIGNED: ReadonlySet<DataType> = new Set([...FLOATS, 'int8', 'int16', 'int32', 'int64']);

function unary(
  ctx: KernelContext,
  accept: ReadonlySet<DataType>,
  fn: (x: Scalar) => Scalar,
): ReturnType<Kernel> {
  const x = ctx.input(0);
  if (!accept.has(x.dtype)) return undefined;
  const out = ctx.alloc(x.dtype, x.dims);
  const read = elementReader(x);
  const write = elementWriter(out);
  for (let i = 0; i < x.size; i++) write(i, fn(read(i)));
  return [out];
}

const negate = (x: Scalar): Scalar => (typeof x === 'bigint' ? BigInt.asIntN(64, -x) : -x);

/** Neg, Abs, Sqrt, Reciprocal, Floor, Ceil and Not, element by element. */
export const unaryKernels: Record<string, Kernel> = {
  Neg: (ctx) => unary(ctx, SIGNED, negate),
  Abs: (ctx) => unary(ctx, SIGNED, (x) => (x < 0 ? negate(x) : x)),
  Sqrt: (ctx) => unary(ctx, FLOATS, (x) => Math.sqrt(x as number)),
  Reciprocal: (ctx) => unary(ctx, FLOATS, (x) => 1 / (x as number)),
  Floor: (ctx) => unary(ctx, FLOATS, (x) => Math.floor(x as number)),
  Ceil: (ctx) => unary(ctx, FLOATS, (x) => Math.ceil(x as number)),
  Not: (ctx) => unary(ctx, new Set<DataType>(['bool']), (x) => (x ? 0 : 1)),
};
