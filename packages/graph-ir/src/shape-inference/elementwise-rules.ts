import { type DataType, dataTypeFromOnnx } from '../dtype.js';
import type { Dim } from '../value.js';
import { broadcastShapes, dimProduct, inferMinusOne } from './dims.js';
import type { InferContext, InferRule, OutputInfo } from './infer-context.js';

/** Output 0 like input 0 (activations, Softmax, Identity, ...). */
export const sameAsInput: InferRule = (ctx) => [
  { dtype: ctx.dtype(0), shape: ctx.shape(0), elements: ctx.elements(0) },
];

const unaryElementwise: InferRule = (ctx) => [{ dtype: ctx.dtype(0), shape: ctx.shape(0) }];

function inputsBroadcast(ctx: InferContext, from = 0, to = ctx.inputCount): Dim[] | undefined {
  const shapes: (Dim[] | undefined)[] = [];
  for (let i = from; i < to; i++) if (ctx.has(i)) shapes.push(ctx.shape(i));
  return broadcastShapes(shapes, (m) => ctx.fail(m));
}

/** Elementwise arithmetic on known shape values (symbols multiply into product symbols; x+0 and x/1 keep them). */
function elementsOf(ctx: InferContext, op: string): Dim[] | undefined {
  if (ctx.inputCount !== 2) return undefined;
  const a = ctx.elements(0);
  const b = ctx.elements(1);
  if (!a || !b || (a.length !== b.length && a.length !== 1 && b.length !== 1)) return undefined;
  const n = Math.max(a.length, b.length);
  const at = (x: Dim[], i: number) => (x.length === 1 ? x[0]! : x[i]!);
  const isInt = ctx.dtype(0) === 'int64' || ctx.dtype(0) === 'int32';
  if (!isInt) return undefined;
  const out: Dim[] = [];
  for (let i = 0; i < n; i++) {
    const x = at(a, i);
    const y = at(b, i);
    let r: Dim = null;
    if (typeof x === 'number' && typeof y === 'number') {
      if (op === 'Add') r = x + y;
      else if (op === 'Sub') r = x - y;
      else if (op === 'Mul') r = x * y;
      else if (op === 'Div') r = y === 0 ? null : Math.trunc(x / y);
      else if (op === 'Min') r = Math.min(x, y);
      else if (op === 'Max') r = Math.max(x, y);
    } else if (op === 'Mul' && x !== null && y !== null) r = dimProduct([x, y]);
    else if (op === 'Div' && x !== null && y !== null) r = inferMinusOne([x], [y]);
    else if (((op === 'Add' || op === 'Sub') && y === 0) || (op === 'Div' && y === 1)) r = x;
    else if (op === 'Add' && x === 0) r = y;
    out.push(r);
  }
  return out;
}

function arithmetic(op: string): InferRule {
  return (ctx) => {
    const shape = inputsBroadcast(ctx);
    const info: OutputInfo = { dtype: ctx.dtype(0), shape };
    if (shape !== undefined && shape.length <= 1) info.elements = elementsOf(ctx, op);
    return [info];
  };
}

const comparison: InferRule = (ctx) => [{ dtype: 'bool', shape: inputsBroadcast(ctx) }];

function castTo(code: number, ctx: InferContext): DataType | undefined {
  try {
    return dataTypeFromOnnx(code, ctx.node.describe());
  } catch {
    return undefined;
  }
}

const isIntType = (t: DataType | undefined) => t === 'int64' || t === 'int32';

export const elementwiseRules: Record<string, InferRule> = {
  Add: arithmetic('Add'),
  Sub: arithmetic('Sub'),
  Mul: arithmetic('Mul'),
  Div: arithmetic('Div'),
  Min: arithmetic('Min'),
  Max: arithmetic('Max'),
  Pow: (ctx) => [{ dtype: ctx.dtype(0), shape: inputsBroadcast(ctx) }],
  Mod: arithmetic('Mod'),
  Sum: arithmetic('Sum'),
  Mean: arithmetic('Mean'),
  PRelu: arithmetic('PRelu'),
  BitShift: arithmetic('BitShift'),
  Equal: comparison,
  Less: comparison,
  Greater: comparison,
  LessOrEqual: comparison,
  GreaterOrEqual: comparison,
  And: comparison,
  Or: comparison,
  Xor: comparison,
  Where: (ctx) => [{ dtype: ctx.dtype(1) ?? ctx.dtype(2), shape: inputsBroadcast(ctx) }],
  Not: unaryElementwise,
  IsNaN: (ctx) => [{ dtype: 'bool', shape: ctx.shape(0) }],
  IsInf: (ctx) => [{ dtype: 'bool', shape: ctx.shape(0) }],
  Identity: sameAsInput,
  Cast: (ctx) => {
    const dtype = castTo(ctx.node.attrInt('to'), ctx);
    const info: OutputInfo = { dtype, shape: ctx.shape(0) };
    if (isIntType(dtype) && isIntType(ctx.dtype(0))) info.elements = ctx.elements(0);
    return [info];
  },
  CastLike: (ctx) => [{ dtype: ctx.dtype(1), shape: ctx.shape(0) }],
  Dropout: (ctx) => [
    { dtype: ctx.dtype(0), shape: ctx.shape(0) },
    { dtype: 'bool', shape: ctx.shape(0) },
  ],
  Clip: unaryElementwise,
};

// Unary ops whose output has the input's type and shape.
for (const op of [
  'Neg',
  'Abs',
  'Sqrt',
  'Exp',
  'Log',
  'Erf',
  'Tanh',
  'Sigmoid',
  'Relu',
  'LeakyRelu',
  'Elu',
  'Selu',
  'Celu',
  'Gelu',
  'HardSigmoid',
  'HardSwish',
  'Softplus',
  'Softsign',
  'Mish',
  'Reciprocal',
  'Floor',
  'Ceil',
  'Round',
  'Sign',
  'Sin',
  'Cos',
  'Tan',
  'Softmax',
  'LogSoftmax',
  'Hardmax',
  'CumSum',
  'Trilu',
])
  elementwiseRules[op] = unaryElementwise;
