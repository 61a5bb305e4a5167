import type { DataType, TypedArray } from '../dtype.js';
import { GraphIrError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import type { KernelContext } from './kernel.js';

export function numel(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= d;
  return n;
}

/** Row-major strides. */
export function stridesOf(dims: readonly number[]): number[] {
  const s = new Array<number>(dims.length);
  let acc = 1;
  for (let i = dims.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= dims[i]!;
  }
  return s;
}

/** int64 and uint64 elements are bigints; every other numeric type is a JS number. */
export function isBigIntType(dtype: DataType): boolean {
  return dtype === 'int64' || dtype === 'uint64';
}

/** Axis in [-rank, rank-1] made non-negative; fails outside. */
export function normalizeAxis(ctx: KernelContext, axis: number, rank: number, what = 'axis'): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank)
    ctx.fail(`${what} ${axis} is out of range for rank ${rank}`);
  return axis < 0 ? axis + rank : axis;
}

/** Integer tensor elements as exact bigints (int32 and int64 alike). */
export function readBigInts(ctx: KernelContext, t: Tensor, what: string): bigint[] {
  if (t.dtype === 'string' || t.dtype === 'bool' || t.dtype.startsWith('float') || t.dtype === 'bfloat16')
    ctx.fail(`${what} must be an integer tensor, got ${t.dtype}`);
  return t.toBigInts();
}

/** Integer tensor elements as safe JS integers. */
export function readInts(ctx: KernelContext, t: Tensor, what: string): number[] {
  return readBigInts(ctx, t, what).map((b) => {
    const n = Number(b);
    if (!Number.isSafeInteger(n)) ctx.fail(`${what} value ${b} is out of range`);
    return n;
  });
}

/** Copy elements by index map: out[i] = src[map[i]] (works for every dtype, float16 bits included). */
export function gatherElements(
  ctx: KernelContext,
  src: Tensor,
  dims: readonly number[],
  map: ArrayLike<number>,
): Tensor {
  const out = ctx.alloc(src.dtype, dims);
  const s = src.data as unknown as unknown[];
  const o = out.data as unknown as unknown[];
  for (let i = 0; i < map.length; i++) o[i] = s[map[i]!];
  return out;
}

/** Element reader producing bigints for int64/uint64 and numbers (float16 decoded, bool 0/1) otherwise. */
export function elementReader(t: Tensor): (i: number) => number | bigint {
  const d = t.data;
  if (t.dtype === 'float16' || t.dtype === 'bfloat16') return (i) => t.getNumber(i);
  if (Array.isArray(d)) throw new GraphIrError('GIR_ERR_DTYPE', 'string tensors have no numeric elements');
  return (i) => (d as TypedArray)[i]!;
}

/** Element writer taking bigints for int64/uint64 and numbers otherwise (float16 rounded to nearest even). */
export function elementWriter(t: Tensor): (i: number, v: number | bigint) => void {
  const d = t.data;
  if (t.dtype === 'float16' || t.dtype === 'bfloat16') return (i, v) => t.setNumber(i, Number(v), d);
  if (t.dtype === 'bool') return (i, v) => ((d as Uint8Array)[i] = v ? 1 : 0);
  const a = d as unknown as (number | bigint)[];
  return (i, v) => (a[i] = v);
}
