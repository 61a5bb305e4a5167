import { type DataType, dataTypeFromOnnx } from '../dtype.js';
import { GraphIrError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import type { Kernel, KernelContext } from './kernel.js';
import { elementReader, elementWriter, isBigIntType } from './tensor-util.js';

const INT_RANGE: Partial<Record<DataType, [number, number]>> = {
  int8: [-128, 127],
  uint8: [0, 255],
  int16: [-32768, 32767],
  uint16: [0, 65535],
  int32: [-2147483648, 2147483647],
  uint32: [0, 4294967295],
};

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * An int64 as float32 with a single rounding (to nearest, ties to even), as C++ static_cast does;
 * Number(b) first would round twice (to 53 then to 24 bits).
 */
export function bigIntToFloat32(b: bigint): number {
  const neg = b < 0n;
  let a = neg ? -b : b;
  if (a < 2n ** 53n) return Math.fround(Number(b));
  const bits = a.toString(2).length;
  const shift = BigInt(bits - 24);
  const rest = a & ((1n << shift) - 1n);
  const half = 1n << (shift - 1n);
  a >>= shift;
  if (rest > half || (rest === half && (a & 1n) === 1n)) a += 1n;
  const v = Number(a) * 2 ** Number(shift);
  return Math.fround(neg ? -v : v);
}

/** Convert one element; undefined when C++ would have undefined behaviour (NaN or out-of-range float to int). */
function convert(v: number | bigint, from: DataType, to: DataType): number | bigint | undefined {
  if (to === 'bool') return v !== 0 && v !== 0n ? 1 : 0;
  if (isBigIntType(to)) {
    if (typeof v === 'bigint') return to === 'int64' ? BigInt.asIntN(64, v) : BigInt.asUintN(64, v);
    if (!Number.isFinite(v)) return undefined;
    const t = BigInt(Math.trunc(v));
    if (to === 'int64' ? t < INT64_MIN || t > INT64_MAX : t < 0n || t >= 2n ** 64n) return undefined;
    return t;
  }
  const range = INT_RANGE[to];
  if (range) {
    if (typeof v === 'bigint') {
      const bits = to.endsWith('8') ? 8 : to.endsWith('16') ? 16 : 32;
      return Number(to.startsWith('u') ? BigInt.asUintN(bits, v) : BigInt.asIntN(bits, v));
    }
    if (from === 'float32' || from === 'float64' || from === 'float16' || from === 'bfloat16') {
      if (!Number.isFinite(v)) return undefined;
      const t = Math.trunc(v);
      if (t < range[0] || t > range[1]) return undefined;
      return t;
    }
    return v; // integer to integer: the typed array wraps modulo 2^bits like a C++ cast
  }
  // float targets
  if (typeof v === 'bigint') return to === 'float32' ? bigIntToFloat32(v) : Number(v);
  return v;
}

/** Cast a whole tensor to `to`; throws GIR_ERR_FOLD when an element has no defined result. */
export function castTensor(ctx: KernelContext, x: Tensor, to: DataType): Tensor | undefined {
  if (x.dtype === 'string' || to === 'string') return undefined;
  if (x.dtype === to) return x;
  const out = ctx.alloc(to, x.dims);
  const read = elementReader(x);
  const write = elementWriter(out);
  for (let i = 0; i < x.size; i++) {
    const v = convert(read(i), x.dtype, to);
    if (v === undefined) ctx.fail(`element ${read(i)} has no defined ${x.dtype} -> ${to} conversion`);
    write(i, v);
  }
  return out;
}

/** Cast (attribute `to`) and CastLike (type of input 1). */
export const castKernels: Record<string, Kernel> = {
  Cast: (ctx) => {
    let to: DataType;
    try {
      to = dataTypeFromOnnx(ctx.node.attrInt('to'), ctx.node.describe());
    } catch (err) {
      if (err instanceof GraphIrError && err.code === 'GIR_ERR_DTYPE') return undefined;
      throw err;
    }
    const out = castTensor(ctx, ctx.input(0), to);
    return out && [out];
  },
  CastLike: (ctx) => {
    const out = castTensor(ctx, ctx.input(0), ctx.input(1).dtype);
    return out && [out];
  },
};
