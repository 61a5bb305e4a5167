import type { Kernel, KernelContext } from './kernel.js';
import { normalizeAxis, numel, readBigInts, readInts } from './tensor-util.js';

/**
 * Output dims of Reshape: 0 copies the input dim (unless allowzero), one -1 takes what is left.
 * Returns a message instead of dims when the target does not fit.
 */
export function reshapeDims(
  input: readonly number[],
  target: readonly bigint[],
  allowzero: boolean,
): number[] | string {
  const out: number[] = [];
  let infer = -1;
  for (let i = 0; i < target.length; i++) {
    const t = target[i]!;
    if (t === -1n) {
      if (infer >= 0) return 'more than one -1 in the target shape';
      infer = i;
      out.push(1);
    } else if (t === 0n && !allowzero) {
      if (i >= input.length) return `target dim ${i} is 0 but the input has rank ${input.length}`;
      out.push(input[i]!);
    } else if (t < 0n) {
      return `invalid target dim ${t}`;
    } else {
      const n = Number(t);
      if (!Number.isSafeInteger(n)) return `target dim ${t} is too large`;
      out.push(n);
    }
  }
  const total = numel(input);
  const known = numel(out);
  if (infer >= 0) {
    if (known === 0 || total % known !== 0) return `cannot infer -1 for [${input}] -> [${target}]`;
    out[infer] = total / known;
  } else if (known !== total) {
    return `cannot reshape [${input}] (${total} elements) to [${out}]`;
  }
  return out;
}

/** Unsqueeze: insert 1s at `axes` (relative to the output rank, negative allowed). */
export function unsqueezeDims(
  ctx: KernelContext,
  dims: readonly number[],
  axes: readonly number[],
): number[] {
  const rank = dims.length + axes.length;
  const norm = new Set(axes.map((a) => normalizeAxis(ctx, a, rank, 'axes')));
  if (norm.size !== axes.length) ctx.fail(`repeated axes [${axes}]`);
  const out: number[] = [];
  let k = 0;
  for (let i = 0; i < rank; i++) out.push(norm.has(i) ? 1 : dims[k++]!);
  return out;
}

/** Axes of Squeeze/Unsqueeze: the `axes` attribute below opset 13, input 1 from 13. Undefined when absent. */
export function axesOf(ctx: KernelContext, sinceOpsetAsInput = 13): number[] | undefined {
  if (ctx.opset >= sinceOpsetAsInput) {
    const t = ctx.optional(1);
    return t && readInts(ctx, t, 'axes');
  }
  return ctx.node.attributes.has('axes') ? ctx.node.attrInts('axes') : undefined;
}

/** Reshape, Flatten, Squeeze, Unsqueeze and Identity: same elements, other dims (storage shared). */
export const reshapeKernels: Record<string, Kernel> = {
  Reshape: (ctx) => {
    const x = ctx.input(0);
    const target =
      ctx.opset < 5 ? ctx.node.attrInts('shape').map(BigInt) : readBigInts(ctx, ctx.input(1), 'shape');
    const dims = reshapeDims(x.dims, target, ctx.node.attrInt('allowzero', 0) === 1);
    if (typeof dims === 'string') return ctx.fail(dims);
    ctx.check(dims);
    return [x.reshape(dims)];
  },
  Flatten: (ctx) => {
    const x = ctx.input(0);
    const axis = ctx.node.attrInt('axis', 1);
    const a = axis < 0 ? axis + x.rank : axis;
    if (a < 0 || a > x.rank) ctx.fail(`axis ${axis} is out of range for rank ${x.rank}`);
    ctx.check(x.dims);
    return [x.reshape([numel(x.dims.slice(0, a)), numel(x.dims.slice(a))])];
  },
  Squeeze: (ctx) => {
    const x = ctx.input(0);
    const axes = axesOf(ctx);
    let dims: number[];
    if (axes === undefined) dims = x.dims.filter((d) => d !== 1);
    else {
      const norm = new Set(axes.map((a) => normalizeAxis(ctx, a, x.rank, 'axes')));
      for (const a of norm) if (x.dims[a] !== 1) ctx.fail(`cannot squeeze axis ${a} of size ${x.dims[a]}`);
      dims = x.dims.filter((_, i) => !norm.has(i));
    }
    ctx.check(dims);
    return [x.reshape(dims)];
  },
  Unsqueeze: (ctx) => {
    const x = ctx.input(0);
    const axes = axesOf(ctx);
    if (axes === undefined) return ctx.fail('has no axes');
    const dims = unsqueezeDims(ctx, x.dims, axes);
    ctx.check(dims);
    return [x.reshape(dims)];
  },
  Identity: (ctx) => {
    const x = ctx.input(0);
    ctx.check(x.dims);
    return [x];
  },
};
