import type { Kernel } from './kernel.js';
import { elementReader, stridesOf } from './tensor-util.js';

/** NonZero: int64 [rank, count] indices of the non-zero elements, in row-major order. */
export const nonZeroKernel: Kernel = (ctx) => {
  const x = ctx.input(0);
  if (x.dtype === 'string') return undefined;
  const read = elementReader(x);
  const hits: number[] = [];
  for (let i = 0; i < x.size; i++) {
    const v = read(i);
    if (v !== 0 && v !== 0n) hits.push(i);
  }
  const rank = x.rank;
  // A scalar is treated as a 1-element vector, as ORT does.
  const outRank = Math.max(rank, 1);
  const out = ctx.alloc('int64', [outRank, hits.length]);
  const o = out.data as BigInt64Array;
  const strides = stridesOf(x.dims);
  hits.forEach((flat, j) => {
    if (rank === 0) o[j] = 0n;
    for (let k = 0; k < rank; k++)
      o[k * hits.length + j] = BigInt(Math.floor(flat / strides[k]!) % x.dims[k]!);
  });
  return [out];
};
