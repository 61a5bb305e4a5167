import type { DataType } from '../dtype.js';
import type { Tensor } from '../tensor.js';
import { broadcastDims, broadcastIndex } from './broadcast.js';
import type { Kernel, KernelContext } from './kernel.js';
import { elementReader, elementWriter, isBigIntType } from './tensor-util.js';

type Scalar = number | bigint;
/** An element operation; `dtype` is the type of the operands (for integer wrap-around and truncation). */
type BinaryFn = (ctx: KernelContext, a: Scalar, b: Scalar, dtype: DataType) => Scalar | boolean;

const ARITHMETIC: ReadonlySet<DataType> = new Set([
  'float32',
  'float64',
  'float16',
  'bfloat16',
  'int8',
  'int16',
  'int32',
  'int64',
  'uint8',
  'uint16',
  'uint32',
  'uint64',
]);

const isFloat = (dt: DataType) =>
  dt === 'float32' || dt === 'float64' || dt === 'float16' || dt === 'bfloat16';

/** Apply fn over the broadcast of the inputs (all of one dtype unless `mixed`), producing `outType` (default: the input type). */
function broadcastApply(
  ctx: KernelContext,
  inputs: readonly Tensor[],
  fn: BinaryFn,
  options: { outType?: DataType; accept: (dt: DataType) => boolean; mixed?: boolean },
): Tensor[] | undefined {
  const dtype = inputs[0]!.dtype;
  if (!options.accept(dtype)) return undefined;
  if (!options.mixed && inputs.some((t) => t.dtype !== dtype))
    ctx.fail('inputs have different element types');
  const dims = broadcastDims(ctx, ...inputs.map((t) => t.dims));
  const out = ctx.alloc(options.outType ?? dtype, dims);
  const write = elementWriter(out);
  const reads = inputs.map((t) => ({ read: elementReader(t), map: broadcastIndex(t.dims, dims) }));
  const big = isBigIntType(dtype);
  const n = out.size;
  for (let i = 0; i < n; i++) {
    let acc: Scalar | boolean = reads[0]!.read(reads[0]!.map[i]!);
    for (let k = 1; k < reads.length; k++) {
      let b = reads[k]!.read(reads[k]!.map[i]!);
      // Mixed operands (Pow's exponent) are brought to the base's domain.
      if (options.mixed) b = big ? BigInt(Math.trunc(Number(b))) : Number(b);
      acc = fn(ctx, acc as Scalar, b, dtype);
    }
    write(i, acc as Scalar);
  }
  return [out];
}

function intDiv(ctx: KernelContext, a: Scalar, b: Scalar): Scalar {
  if (typeof a === 'bigint') {
    if (b === 0n) ctx.fail('integer division by zero');
    return a / (b as bigint); // BigInt division truncates toward zero, like C++ (and ORT)
  }
  if (b === 0) ctx.fail('integer division by zero');
  return Math.trunc(a / (b as number));
}

function intPow(a: Scalar, b: Scalar): Scalar {
  if (typeof a === 'bigint') {
    const e = b as bigint;
    if (e >= 0n) return BigInt.asIntN(64, a ** e);
    return BigInt(Math.trunc(Number(a) ** Number(e)));
  }
  return Math.trunc((a as number) ** (b as number));
}

const arith = (kind: 'Add' | 'Sub' | 'Mul' | 'Div' | 'Pow'): BinaryFn => {
  return (ctx, a, b, dtype) => {
    if (typeof a === 'bigint') {
      const x = b as bigint;
      const wrap =
        dtype === 'uint64' ? (v: bigint) => BigInt.asUintN(64, v) : (v: bigint) => BigInt.asIntN(64, v);
      switch (kind) {
        case 'Add':
          return wrap(a + x);
        case 'Sub':
          return wrap(a - x);
        case 'Mul':
          return wrap(a * x);
        case 'Div':
          return intDiv(ctx, a, x);
        case 'Pow':
          return wrap(intPow(a, x) as bigint);
      }
    }
    const x = a as number;
    const y = b as number;
    switch (kind) {
      case 'Add':
        return x + y;
      case 'Sub':
        return x - y;
      case 'Mul':
        // int32 products can exceed 2^53 in a double: multiply modulo 2^32 instead.
        return dtype === 'int32' || dtype === 'uint32' ? Math.imul(x, y) : x * y;
      case 'Div':
        return isFloat(dtype) ? x / y : intDiv(ctx, x, y);
      case 'Pow':
        return isFloat(dtype) ? x ** y : intPow(x, y);
    }
  };
};

const minmax =
  (max: boolean): BinaryFn =>
  (_ctx, a, b) => {
    if (typeof a === 'number' && (Number.isNaN(a) || Number.isNaN(b as number))) return Number.NaN;
    // biome-ignore lint/complexity/useMathMinMax: the operands may be bigints
    if (max) return a > b ? a : b;
    // biome-ignore lint/complexity/useMathMinMax: the operands may be bigints
    return a < b ? a : b;
  };

const compare =
  (op: 'Equal' | 'Less' | 'Greater' | 'LessOrEqual' | 'GreaterOrEqual'): BinaryFn =>
  (_ctx, a, b) => {
    switch (op) {
      case 'Equal':
        return a === b;
      case 'Less':
        return a < b;
      case 'Greater':
        return a > b;
      case 'LessOrEqual':
        return a <= b;
      case 'GreaterOrEqual':
        return a >= b;
    }
  };

const logical =
  (op: 'And' | 'Or' | 'Xor'): BinaryFn =>
  (_ctx, a, b) => {
    const x = a !== 0;
    const y = b !== 0;
    return op === 'And' ? x && y : op === 'Or' ? x || y : x !== y;
  };

const isArithmetic = (dt: DataType) => ARITHMETIC.has(dt);

function arithmeticKernel(kind: 'Add' | 'Sub' | 'Mul' | 'Div'): Kernel {
  return (ctx) => broadcastApply(ctx, [ctx.input(0), ctx.input(1)], arith(kind), { accept: isArithmetic });
}

/** Add, Sub, Mul, Div (integer Div truncates toward zero), Pow, Min, Max, comparisons and logical ops, with numpy broadcasting. */
export const binaryKernels: Record<string, Kernel> = {
  Add: arithmeticKernel('Add'),
  Sub: arithmeticKernel('Sub'),
  Mul: arithmeticKernel('Mul'),
  Div: arithmeticKernel('Div'),
  // Pow (opset 12+) allows an exponent of another type; the output has the base's type.
  Pow: (ctx) =>
    broadcastApply(ctx, [ctx.input(0), ctx.input(1)], arith('Pow'), {
      accept: (dt) => isArithmetic(dt) && isArithmetic(ctx.input(1).dtype),
      mixed: true,
    }),
  Min: (ctx) => variadic(ctx, minmax(false)),
  Max: (ctx) => variadic(ctx, minmax(true)),
  Equal: (ctx) => comparison(ctx, compare('Equal'), true),
  Less: (ctx) => comparison(ctx, compare('Less'), false),
  Greater: (ctx) => comparison(ctx, compare('Greater'), false),
  LessOrEqual: (ctx) => comparison(ctx, compare('LessOrEqual'), false),
  GreaterOrEqual: (ctx) => comparison(ctx, compare('GreaterOrEqual'), false),
  And: (ctx) => boolOp(ctx, logical('And')),
  Or: (ctx) => boolOp(ctx, logical('Or')),
  Xor: (ctx) => boolOp(ctx, logical('Xor')),
};

function variadic(ctx: KernelContext, fn: BinaryFn): Tensor[] | undefined {
  const inputs: Tensor[] = [];
  for (let i = 0; i < ctx.inputCount; i++) inputs.push(ctx.input(i));
  if (inputs.length === 0) ctx.fail('needs at least one input');
  return broadcastApply(ctx, inputs, fn, { accept: isArithmetic });
}

function comparison(ctx: KernelContext, fn: BinaryFn, allowBool: boolean): Tensor[] | undefined {
  return broadcastApply(ctx, [ctx.input(0), ctx.input(1)], fn, {
    outType: 'bool',
    accept: (dt) => isArithmetic(dt) || (allowBool && dt === 'bool'),
  });
}

function boolOp(ctx: KernelContext, fn: BinaryFn): Tensor[] | undefined {
  return broadcastApply(ctx, [ctx.input(0), ctx.input(1)], fn, {
    outType: 'bool',
    accept: (dt) => dt === 'bool',
  });
}
