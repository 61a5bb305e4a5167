import { broadcastDims, broadcastIndex } from './broadcast.js';
import type { Kernel } from './kernel.js';

/** Where(cond, x, y): x where cond is true, else y, with three-way numpy broadcasting. */
export const whereKernel: Kernel = (ctx) => {
  const cond = ctx.input(0);
  const x = ctx.input(1);
  const y = ctx.input(2);
  if (cond.dtype !== 'bool') ctx.fail(`condition must be bool, got ${cond.dtype}`);
  if (x.dtype !== y.dtype) ctx.fail(`X is ${x.dtype} but Y is ${y.dtype}`);
  const dims = broadcastDims(ctx, cond.dims, x.dims, y.dims);
  const out = ctx.alloc(x.dtype, dims);
  const c = cond.data as Uint8Array;
  const xd = x.data as unknown as unknown[];
  const yd = y.data as unknown as unknown[];
  const o = out.data as unknown as unknown[];
  const cm = broadcastIndex(cond.dims, dims);
  const xm = broadcastIndex(x.dims, dims);
  const ym = broadcastIndex(y.dims, dims);
  for (let i = 0; i < out.size; i++) o[i] = c[cm[i]!] ? xd[xm[i]!] : yd[ym[i]!];
  return [out];
};
