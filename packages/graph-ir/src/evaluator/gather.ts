import type { Kernel } from './kernel.js';
import { gatherElements, normalizeAxis, numel, readInts, stridesOf } from './tensor-util.js';

/** Gather along `axis` (negative indices count from the end). Output dims: data[:axis] + indices + data[axis+1:]. */
export const gatherKernel: Kernel = (ctx) => {
  const data = ctx.input(0);
  const indices = ctx.input(1);
  if (data.rank === 0) ctx.fail('data must have rank >= 1');
  const axis = normalizeAxis(ctx, ctx.node.attrInt('axis', 0), data.rank);
  const dim = data.dims[axis]!;
  const idx = readInts(ctx, indices, 'indices').map((i) => {
    if (i < -dim || i >= dim) ctx.fail(`index ${i} is out of range for a dim of ${dim}`);
    return i < 0 ? i + dim : i;
  });
  const outer = numel(data.dims.slice(0, axis));
  const inner = numel(data.dims.slice(axis + 1));
  const dims = [...data.dims.slice(0, axis), ...indices.dims, ...data.dims.slice(axis + 1)];
  ctx.check(dims);
  const stride = stridesOf(data.dims)[axis]! * dim;
  const map = new Int32Array(outer * idx.length * inner);
  let k = 0;
  for (let o = 0; o < outer; o++)
    for (const i of idx) {
      const base = o * stride + i * inner;
      for (let j = 0; j < inner; j++) map[k++] = base + j;
    }
  return [gatherElements(ctx, data, dims, map)];
};
