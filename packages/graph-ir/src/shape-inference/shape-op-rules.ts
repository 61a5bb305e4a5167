import { dataTypeFromOnnx } from '../dtype.js';
import { shapeRange } from '../evaluator/shape-of.js';
import { sliceAxis } from '../evaluator/slice.js';
import type { Dim } from '../value.js';
import { broadcastShapes, dimProduct, dimSum, inferMinusOne, unifyDim } from './dims.js';
import type { InferContext, InferRule, OutputInfo } from './infer-context.js';

/** Axes from the attribute below `sinceOpset`, else from input `index` (constant). */
function axesOf(ctx: InferContext, sinceOpset: number, index = 1): number[] | undefined | 'unknown' {
  if (ctx.opset >= sinceOpset) {
    if (!ctx.has(index)) return undefined;
    return ctx.numbers(index) ?? 'unknown';
  }
  return ctx.node.attributes.has('axes') ? ctx.node.attrInts('axes') : undefined;
}

const INT64_MAX_APPROX = 2 ** 62;
/** Slice ends from this on mean "to the end" for a symbolic dim (exporters use INT32_MAX or INT64_MAX). */
const TO_THE_END = 2 ** 31 - 1;

/** Output dim of slicing a dim: exact for sizes; a symbol survives a full slice [0, end>=dim) with step 1. */
function sliceDim(dim: Dim, start: Dim, end: Dim, step: Dim): Dim {
  if (typeof start !== 'number' || typeof step !== 'number') return null;
  if (typeof dim === 'number' && typeof end === 'number')
    return sliceAxis(
      dim,
      BigInt(Math.round(start)),
      BigInt(end >= INT64_MAX_APPROX ? 2 ** 62 : Math.round(end)),
      BigInt(step),
    ).count;
  if (start === 0 && step === 1) {
    if (typeof end === 'number' && end >= TO_THE_END) return dim;
    // Slicing [0, n) with n a symbol: n elements, assuming n <= dim (else the model would fail further on).
    if (typeof end === 'string') return end;
  }
  return null;
}

function reshape(ctx: InferContext): OutputInfo[] {
  const input = ctx.shape(0);
  const target = ctx.opset < 5 ? ctx.node.attrInts('shape') : ctx.elements(1);
  if (target === undefined) {
    const len = ctx.shape(1)?.[0];
    return [
      { dtype: ctx.dtype(0), shape: typeof len === 'number' ? new Array<Dim>(len).fill(null) : undefined },
    ];
  }
  const allowzero = ctx.node.attrInt('allowzero', 0) === 1;
  const out: Dim[] = [];
  let minusOne = -1;
  target.forEach((t, i) => {
    if (t === -1) {
      if (minusOne >= 0) ctx.fail('more than one -1 in the target shape');
      minusOne = i;
      out.push(null);
    } else if (t === 0 && !allowzero) {
      if (input && i >= input.length) ctx.fail(`target dim ${i} is 0 but the input has rank ${input.length}`);
      out.push(input ? input[i]! : null);
    } else out.push(t);
  });
  if (input !== undefined) {
    const known = out.filter((_, i) => i !== minusOne);
    if (minusOne >= 0) out[minusOne] = inferMinusOne(input, known);
    else {
      const a = dimProduct(input);
      const b = dimProduct(out);
      if (typeof a === 'number' && typeof b === 'number' && a !== b)
        ctx.fail(`cannot reshape [${input}] (${a} elements) to [${out}] (${b} elements)`);
    }
  }
  const info: OutputInfo = { dtype: ctx.dtype(0), shape: out };
  if (out.length <= 1) info.elements = ctx.elements(0);
  return [info];
}

function unsqueeze(ctx: InferContext): OutputInfo[] {
  const input = ctx.shape(0);
  const axes = axesOf(ctx, 13);
  if (input === undefined || axes === undefined || axes === 'unknown') return [{ dtype: ctx.dtype(0) }];
  const rank = input.length + axes.length;
  const norm = new Set(axes.map((a) => ctx.axis(a, rank, 'axes')));
  const out: Dim[] = [];
  let k = 0;
  for (let i = 0; i < rank; i++) out.push(norm.has(i) ? 1 : input[k++]!);
  const info: OutputInfo = { dtype: ctx.dtype(0), shape: out };
  if (out.length <= 1) info.elements = ctx.elements(0);
  return [info];
}

function squeeze(ctx: InferContext): OutputInfo[] {
  const input = ctx.shape(0);
  const axes = axesOf(ctx, 13);
  if (input === undefined || axes === 'unknown') return [{ dtype: ctx.dtype(0) }];
  let out: Dim[];
  if (axes === undefined) {
    if (input.some((d) => typeof d !== 'number')) return [{ dtype: ctx.dtype(0) }];
    out = input.filter((d) => d !== 1);
  } else {
    const norm = new Set(axes.map((a) => ctx.axis(a, input.length, 'axes')));
    for (const a of norm)
      if (typeof input[a] === 'number' && input[a] !== 1)
        ctx.fail(`cannot squeeze axis ${a} of size ${input[a]}`);
    out = input.filter((_, i) => !norm.has(i));
  }
  const info: OutputInfo = { dtype: ctx.dtype(0), shape: out };
  if (out.length <= 1) info.elements = ctx.elements(0);
  return [info];
}

function concat(ctx: InferContext): OutputInfo[] {
  const shapes: (Dim[] | undefined)[] = [];
  for (let i = 0; i < ctx.inputCount; i++) if (ctx.has(i)) shapes.push(ctx.shape(i));
  const dtype = ctx.dtype(0);
  const known = shapes.filter((s): s is Dim[] => s !== undefined);
  if (known.length === 0) return [{ dtype }];
  const rank = Math.max(...known.map((s) => s.length));
  // Legacy leniency (see the evaluator): rank-0 inputs next to rank-1 inputs count as [1].
  const parts = known.map((s) => (s.length === 0 && rank === 1 ? [1] : s));
  if (parts.some((s) => s.length !== rank))
    ctx.fail(`inputs have different ranks (${known.map((s) => s.length)})`);
  if (rank === 0) ctx.fail('cannot concatenate scalars');
  const axis = ctx.axis(ctx.node.attrInt('axis'), rank);
  const out: Dim[] = [];
  for (let k = 0; k < rank; k++) {
    if (k === axis) {
      out.push(known.length === shapes.length ? dimSum(parts.map((s) => s[k]!)) : null);
      continue;
    }
    let d: Dim | undefined = parts[0]![k]!;
    for (const s of parts) {
      d = unifyDim(d, s[k]!);
      if (d === undefined)
        ctx.fail(`input dims ${parts.map((p) => `[${p}]`).join(' ')} differ outside axis ${axis}`);
    }
    out.push(d);
  }
  const info: OutputInfo = { dtype, shape: out };
  if (rank === 1) {
    const all: Dim[] = [];
    for (let i = 0; i < ctx.inputCount; i++) {
      const e = ctx.has(i) ? ctx.elements(i) : [];
      if (e === undefined) return [info];
      all.push(...e);
    }
    info.elements = all;
  }
  return [info];
}

function gather(ctx: InferContext): OutputInfo[] {
  const data = ctx.shape(0);
  const indices = ctx.shape(1);
  const dtype = ctx.dtype(0);
  if (data === undefined || indices === undefined) return [{ dtype }];
  const axis = ctx.axis(ctx.node.attrInt('axis', 0), data.length);
  const shape = [...data.slice(0, axis), ...indices, ...data.slice(axis + 1)];
  const info: OutputInfo = { dtype, shape };
  const elems = ctx.elements(0);
  const idx = ctx.numbers(1);
  if (data.length === 1 && elems && idx && indices.length <= 1) {
    const n = elems.length;
    if (idx.some((i) => i < -n || i >= n)) ctx.fail(`index out of range for ${n} elements`);
    info.elements = idx.map((i) => elems[i < 0 ? i + n : i]!);
  }
  return [info];
}

function slice(ctx: InferContext): OutputInfo[] {
  const input = ctx.shape(0);
  const dtype = ctx.dtype(0);
  if (input === undefined) return [{ dtype }];
  let starts: Dim[] | undefined;
  let ends: Dim[] | undefined;
  let axes: Dim[] | undefined;
  let steps: Dim[] | undefined;
  if (ctx.opset < 10) {
    starts = ctx.node.attrInts('starts');
    ends = ctx.node.attrInts('ends');
    axes = ctx.node.attributes.has('axes') ? ctx.node.attrInts('axes') : undefined;
  } else {
    starts = ctx.elements(1);
    ends = ctx.elements(2);
    axes = ctx.has(3) ? ctx.elements(3) : undefined;
    steps = ctx.has(4) ? ctx.elements(4) : undefined;
    if ((ctx.has(3) && axes === undefined) || (ctx.has(4) && steps === undefined)) starts = undefined;
  }
  if (starts === undefined || ends === undefined || axes?.some((a) => typeof a !== 'number')) {
    return [{ dtype, shape: input.map(() => null) }];
  }
  const ax = (axes as number[] | undefined) ?? starts.map((_, i) => i);
  const out: Dim[] = [...input];
  ax.forEach((a, i) => {
    const k = ctx.axis(a, input.length, 'axes');
    out[k] = sliceDim(input[k]!, starts![i]!, ends![i]!, steps?.[i] ?? 1);
  });
  const info: OutputInfo = { dtype, shape: out };
  const elems = ctx.elements(0);
  if (input.length === 1 && elems && typeof out[0] === 'number') {
    const [s, e, st] = [starts[0], ends[0], steps?.[0] ?? 1];
    if (typeof s === 'number' && typeof e === 'number' && typeof st === 'number') {
      const r = sliceAxis(elems.length, BigInt(s), BigInt(e >= INT64_MAX_APPROX ? 2 ** 62 : e), BigInt(st));
      info.elements = Array.from({ length: r.count }, (_, j) => elems[r.start + j * r.step]!);
    }
  }
  return [info];
}

function split(ctx: InferContext): OutputInfo[] {
  const input = ctx.shape(0);
  const dtype = ctx.dtype(0);
  const n = ctx.node.outputs.length;
  if (input === undefined) return ctx.node.outputs.map(() => ({ dtype }));
  const axis = ctx.axis(ctx.node.attrInt('axis', 0), input.length);
  let sizes: number[] | undefined;
  if (ctx.opset < 13) sizes = ctx.node.attributes.has('split') ? ctx.node.attrInts('split') : undefined;
  else if (ctx.has(1)) sizes = ctx.numbers(1);
  const dim = input[axis]!;
  if (sizes === undefined && typeof dim === 'number') {
    const chunk = Math.ceil(dim / n);
    sizes = Array.from({ length: n }, (_, i) => Math.max(0, Math.min(chunk, dim - i * chunk)));
  }
  if (sizes && sizes.length !== n) ctx.fail(`split has ${sizes.length} sizes for ${n} outputs`);
  if (sizes && typeof dim === 'number' && sizes.reduce((a, b) => a + b, 0) !== dim)
    ctx.fail(`split sizes [${sizes}] do not add up to ${dim}`);
  return ctx.node.outputs.map((_, i) => {
    const shape = [...input];
    shape[axis] = sizes ? sizes[i]! : null;
    return { dtype, shape };
  });
}

function transpose(ctx: InferContext): OutputInfo[] {
  const input = ctx.shape(0);
  if (input === undefined) return [{ dtype: ctx.dtype(0) }];
  const perm = ctx.node.attributes.has('perm')
    ? ctx.node.attrInts('perm')
    : input.map((_, i) => input.length - 1 - i);
  if (perm.length !== input.length) ctx.fail(`perm [${perm}] does not fit rank ${input.length}`);
  return [{ dtype: ctx.dtype(0), shape: perm.map((p) => input[ctx.axis(p, input.length, 'perm')]!) }];
}

function expand(ctx: InferContext): OutputInfo[] {
  const target = ctx.elements(1);
  if (target === undefined) {
    const len = ctx.shape(1)?.[0];
    const input = ctx.shape(0);
    if (typeof len !== 'number' || input === undefined) return [{ dtype: ctx.dtype(0) }];
    return [{ dtype: ctx.dtype(0), shape: new Array<Dim>(Math.max(len, input.length)).fill(null) }];
  }
  return [{ dtype: ctx.dtype(0), shape: broadcastShapes([ctx.shape(0), target], (m) => ctx.fail(m)) }];
}

function constantOfShape(ctx: InferContext): OutputInfo[] {
  const a = ctx.node.getAttribute('value');
  const dtype = a?.type === 'tensor' ? a.value.dtype : 'float32';
  const shape = ctx.elements(0);
  if (shape !== undefined) return [{ dtype, shape }];
  const len = ctx.shape(0)?.[0];
  return [{ dtype, shape: typeof len === 'number' ? new Array<Dim>(len).fill(null) : undefined }];
}

function range(ctx: InferContext): OutputInfo[] {
  const dtype = ctx.dtype(0);
  const [s, l, d] = [0, 1, 2].map((i) => ctx.constant(i));
  if (s && l && d && s.size === 1 && l.size === 1 && d.size === 1) {
    const [a, b, c] = [s.getNumber(0), l.getNumber(0), d.getNumber(0)];
    if (c !== 0) return [{ dtype, shape: [Math.max(0, Math.ceil((b - a) / c))] }];
  }
  // Range(0, n, 1) has n elements, n possibly a symbol.
  const start = ctx.elements(0)?.[0];
  const limit = ctx.elements(1)?.[0];
  const delta = ctx.elements(2)?.[0];
  if (start === 0 && delta === 1 && limit !== undefined) return [{ dtype, shape: [limit] }];
  return [{ dtype, shape: [null] }];
}

function constant(ctx: InferContext): OutputInfo[] {
  const a = ctx.node.attributes;
  const v = a.get('value');
  if (v?.type === 'tensor') return [{ dtype: v.value.dtype, shape: [...v.value.dims] }];
  if (a.get('value_int')) return [{ dtype: 'int64', shape: [] }];
  const vis = a.get('value_ints');
  if (vis?.type === 'ints') return [{ dtype: 'int64', shape: [vis.value.length] }];
  if (a.get('value_float')) return [{ dtype: 'float32', shape: [] }];
  const vfs = a.get('value_floats');
  if (vfs?.type === 'floats') return [{ dtype: 'float32', shape: [vfs.value.length] }];
  return [{}];
}

export const shapeOpRules: Record<string, InferRule> = {
  Shape: (ctx) => {
    const input = ctx.shape(0);
    if (input === undefined) return [{ dtype: 'int64', shape: [null] }];
    const end = ctx.node.attributes.has('end') ? ctx.node.attrInt('end') : undefined;
    const [s, e] = shapeRange(input.length, ctx.node.attrInt('start', 0), end);
    const dims = input.slice(s, e);
    return [{ dtype: 'int64', shape: [dims.length], elements: dims }];
  },
  Size: (ctx) => {
    const input = ctx.shape(0);
    return [{ dtype: 'int64', shape: [], elements: input ? [dimProduct(input)] : undefined }];
  },
  Reshape: reshape,
  Flatten: (ctx) => {
    const input = ctx.shape(0);
    if (input === undefined) return [{ dtype: ctx.dtype(0), shape: [null, null] }];
    const axis = ctx.node.attrInt('axis', 1);
    const a = axis < 0 ? axis + input.length : axis;
    return [{ dtype: ctx.dtype(0), shape: [dimProduct(input.slice(0, a)), dimProduct(input.slice(a))] }];
  },
  Unsqueeze: unsqueeze,
  Squeeze: squeeze,
  Concat: concat,
  Gather: gather,
  Slice: slice,
  Split: split,
  Transpose: transpose,
  Expand: expand,
  ConstantOfShape: constantOfShape,
  Range: range,
  Constant: constant,
  NonZero: (ctx) => {
    // NonZero(ConstantOfShape(s, value != 0)) selects every element (torch.onnx builds position ids so).
    const p = ctx.node.input(0)?.producer;
    const a = p?.opType === 'ConstantOfShape' && p.domain === '' ? p.getAttribute('value') : undefined;
    const shape = ctx.shape(0);
    const all =
      a?.type === 'tensor' && a.value.size === 1 && a.value.getNumber(0) !== 0 && shape !== undefined;
    return [{ dtype: 'int64', shape: [Math.max(ctx.rank(0) ?? 1, 1), all ? dimProduct(shape) : null] }];
  },
  Tile: (ctx) => {
    const input = ctx.shape(0);
    const reps = ctx.elements(1);
    if (input === undefined || reps === undefined) return [{ dtype: ctx.dtype(0) }];
    return [{ dtype: ctx.dtype(0), shape: input.map((d, i) => dimProduct([d, reps[i] ?? null])) }];
  },
  EyeLike: (ctx) => {
    const a = ctx.node.getAttribute('dtype');
    return [
      {
        dtype: a?.type === 'int' ? dataTypeFromOnnx(Number(a.value), ctx.node.describe()) : ctx.dtype(0),
        shape: ctx.shape(0),
      },
    ];
  },
};
