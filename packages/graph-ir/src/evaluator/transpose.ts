import type { Kernel } from './kernel.js';
import { gatherElements, stridesOf } from './tensor-util.js';

/** Transpose by `perm` (default: reverse the axes). */
export const transposeKernel: Kernel = (ctx) => {
  const x = ctx.input(0);
  const perm = ctx.node.attributes.has('perm')
    ? ctx.node.attrInts('perm')
    : x.dims.map((_, i) => x.rank - 1 - i);
  if (perm.length !== x.rank || [...perm].sort((a, b) => a - b).some((p, i) => p !== i))
    ctx.fail(`perm [${perm}] is not a permutation of ${x.rank} axes`);
  const dims = perm.map((p) => x.dims[p]!);
  ctx.check(dims);
  const inStrides = stridesOf(x.dims);
  const st = perm.map((p) => inStrides[p]!);
  const n = x.size;
  const map = new Int32Array(n);
  const idx = new Array<number>(dims.length).fill(0);
  let src = 0;
  for (let i = 0; i < n; i++) {
    map[i] = src;
    for (let k = dims.length - 1; k >= 0; k--) {
      idx[k]!++;
      src += st[k]!;
      if (idx[k]! < dims[k]!) break;
      src -= st[k]! * idx[k]!;
      idx[k] = 0;
    }
  }
  return [gatherElements(ctx, x, dims, map)];
};
