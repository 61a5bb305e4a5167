/**
 * The index of the smallest bucket that holds `length` (buckets ascending), or -1 when `length` is
 * above the largest bucket. Linear: bucket lists are short (a handful of compiled shapes).
 */
export function bucketIndex(length: number, buckets: readonly number[]): number {
  for (let i = 0; i < buckets.length; i++) if (length <= buckets[i]!) return i;
  return -1;
}
