/**
 * The shortest decimal that rounds to the same float32 as `x`: a LayerNorm epsilon stored as
 * float32(1e-12) = 9.99999996e-13 reads back as 1e-12, the number the exporter was given.
 */
export function shortestFloat32Decimal(x: number): number {
  if (!Number.isFinite(x) || x === 0) return x;
  const target = Math.fround(x);
  for (let digits = 1; digits <= 9; digits++) {
    const candidate = Number(x.toPrecision(digits));
    if (Math.fround(candidate) === target) return candidate;
  }
  return x;
}
