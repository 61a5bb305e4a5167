import type { Tensor } from '../tensor.js';
import type { Kernel, KernelContext } from './kernel.js';
import { gatherElements, normalizeAxis, readBigInts, readInts, stridesOf } from './tensor-util.js';

/** Which elements of an axis of size `dim` a Slice takes: first index, step and count (ONNX clamping rules). */
export function sliceAxis(
  dim: number,
  start: bigint,
  end: bigint,
  step: bigint,
): { start: number; step: number; count: number } {
  const d = BigInt(dim);
  let s = start < 0n ? start + d : start;
  let e = end < 0n ? end + d : end;
  let count: bigint;
  if (step > 0n) {
    s = s < 0n ? 0n : s > d ? d : s;
    e = e < 0n ? 0n : e > d ? d : e;
    count = e > s ? (e - s + step - 1n) / step : 0n;
  } else {
    s = s < 0n ? 0n : s > d - 1n ? d - 1n : s;
    e = e < -1n ? -1n : e > d - 1n ? d - 1n : e;
    count = s > e ? (s - e - step - 1n) / -step : 0n;
  }
  return { start: Number(s), step: Number(step), count: Number(count) };
}

/** The starts, ends, axes and steps of a Slice: attributes below opset 10, inputs from 10. */
export function sliceParams(
  ctx: KernelContext,
  rank: number,
  inputs: { starts: Tensor; ends: Tensor; axes?: Tensor; steps?: Tensor } | undefined,
): { starts: bigint[]; ends: bigint[]; axes: number[]; steps: bigint[] } {
  let starts: bigint[];
  let ends: bigint[];
  let axes: number[] | undefined;
  let steps: bigint[] | undefined;
  if (inputs === undefined) {
    starts = ctx.node.attrInts('starts').map(BigInt);
    ends = ctx.node.attrInts('ends').map(BigInt);
    // attrInts goes through Number: re-read the exact int64 values (INT64_MAX ends).
    const exact = (name: string) => {
      const a = ctx.node.getAttribute(name);
      return a?.type === 'ints' ? [...a.value] : undefined;
    };
    starts = exact('starts') ?? starts;
    ends = exact('ends') ?? ends;
    axes = ctx.node.attributes.has('axes') ? ctx.node.attrInts('axes') : undefined;
  } else {
    starts = readBigInts(ctx, inputs.starts, 'starts');
    ends = readBigInts(ctx, inputs.ends, 'ends');
    axes = inputs.axes && readInts(ctx, inputs.axes, 'axes');
    steps = inputs.steps && readBigInts(ctx, inputs.steps, 'steps');
  }
  if (ends.length !== starts.length) ctx.fail('starts and ends differ in length');
  axes ??= starts.map((_, i) => i);
  steps ??= starts.map(() => 1n);
  if (axes.length !== starts.length || steps.length !== starts.length)
    ctx.fail('axes or steps differ in length from starts');
  const norm = axes.map((a) => normalizeAxis(ctx, a, rank, 'axes'));
  if (new Set(norm).size !== norm.length) ctx.fail(`repeated axes [${axes}]`);
  if (steps.some((s) => s === 0n)) ctx.fail('a step is 0');
  return { starts, ends, axes: norm, steps };
}

/** Slice with negative indices, INT64_MAX ends and any non-zero steps. */
export const sliceKernel: Kernel = (ctx) => {
  const x = ctx.input(0);
  const p = sliceParams(
    ctx,
    x.rank,
    ctx.opset < 10
      ? undefined
      : { starts: ctx.input(1), ends: ctx.input(2), axes: ctx.optional(3), steps: ctx.optional(4) },
  );
  const ranges = x.dims.map((d) => ({ start: 0, step: 1, count: d }));
  p.axes.forEach((a, i) => {
    ranges[a] = sliceAxis(x.dims[a]!, p.starts[i]!, p.ends[i]!, p.steps[i]!);
  });
  const dims = ranges.map((r) => r.count);
  ctx.check(dims);
  const strides = stridesOf(x.dims);
  const n = dims.reduce((a, b) => a * b, 1);
  const map = new Int32Array(n);
  const idx = new Array<number>(dims.length).fill(0);
  for (let i = 0; i < n; i++) {
    let src = 0;
    for (let k = 0; k < dims.length; k++) src += (ranges[k]!.start + idx[k]! * ranges[k]!.step) * strides[k]!;
    map[i] = src;
    for (let k = dims.length - 1; k >= 0; k--) {
      if (++idx[k]! < dims[k]!) break;
      idx[k] = 0;
    }
  }
  return [gatherElements(ctx, x, dims, map)];
};
