import type { Kernel } from './kernel.js';
import { elementReader, elementWriter } from './tensor-util.js';

function ceilDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n === b < 0n ? q + 1n : q;
}

/** Range(start, limit, delta): max(ceil((limit - start) / delta), 0) elements, accumulated in the element type like ORT. */
export const rangeKernel: Kernel = (ctx) => {
  const [start, limit, delta] = [ctx.input(0), ctx.input(1), ctx.input(2)];
  if (start.size !== 1 || limit.size !== 1 || delta.size !== 1)
    ctx.fail('start, limit and delta must be scalars');
  const dtype = start.dtype;
  if (limit.dtype !== dtype || delta.dtype !== dtype) ctx.fail('start, limit and delta differ in type');
  if (!['float32', 'float64', 'int16', 'int32', 'int64'].includes(dtype)) return undefined;
  const s = elementReader(start)(0);
  const l = elementReader(limit)(0);
  const d = elementReader(delta)(0);
  if (typeof s === 'bigint') {
    if (d === 0n) ctx.fail('delta is 0');
    let n = ceilDiv((l as bigint) - s, d as bigint);
    if (n < 0n) n = 0n;
    if (n > BigInt(ctx.maxElements)) ctx.check([Number(n)]);
    const out = ctx.alloc('int64', [Number(n)]);
    const o = out.data as BigInt64Array;
    for (let i = 0; i < o.length; i++) o[i] = s + BigInt(i) * (d as bigint);
    return [out];
  }
  const sn = s as number;
  const dn = d as number;
  if (dn === 0) ctx.fail('delta is 0');
  // The difference is taken in the element type (float32 rounding), the quotient in double, as ORT does.
  const diff = dtype === 'float32' ? Math.fround((l as number) - sn) : (l as number) - sn;
  const n = Math.max(Math.ceil(diff / dn), 0);
  if (!Number.isFinite(n)) ctx.fail('the range is not finite');
  const out = ctx.alloc(dtype, [n]);
  const write = elementWriter(out);
  let v = sn;
  for (let i = 0; i < n; i++) {
    write(i, v);
    v = dtype === 'float32' ? Math.fround(v + dn) : v + dn;
  }
  return [out];
};
