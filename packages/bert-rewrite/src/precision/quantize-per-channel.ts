/** A [K, N] kernel quantized per output channel (column), symmetric int8. */
export interface PerChannelInt8 {
  /** q[k, j], row-major [K, N], in [-127, 127]. */
  readonly values: Int8Array;
  /** scale[j] = max_k |W[k, j]| / 127 (1 for an all-zero column). */
  readonly scales: Float32Array;
}

/** Round half to even (as numpy and ORT's quantizers round). */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * Symmetric per-column int8 quantization of a row-major [K, N] kernel W:
 *   scale[j] = max_k |W[k, j]| / 127,   q[k, j] = clamp(round(W[k, j] / scale[j]), -127, 127)
 * with zero point 0, so W[k, j] ~ q[k, j] * scale[j] with |error| <= scale[j] / 2. -128 is never
 * used (symmetric range).
 */
export function quantizePerChannel(kernel: ArrayLike<number>, k: number, n: number): PerChannelInt8 {
  const scales = new Float32Array(n);
  for (let j = 0; j < n; j++) {
    let max = 0;
    for (let i = 0; i < k; i++) max = Math.max(max, Math.abs(kernel[i * n + j]!));
    scales[j] = max > 0 ? max / 127 : 1;
  }
  const values = new Int8Array(k * n);
  for (let i = 0; i < k; i++)
    for (let j = 0; j < n; j++) {
      const q = roundHalfEven(kernel[i * n + j]! / scales[j]!);
      values[i * n + j] = Math.max(-127, Math.min(127, q));
    }
  return { values, scales };
}
