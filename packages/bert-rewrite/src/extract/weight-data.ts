import type { Tensor } from '@bert-neuron/graph-ir';
import type { WeightRef } from '../detect/weight-ref.js';

/**
 * The elements of a tensor as float32 (float16/bfloat16/float64 converted into a new array). A
 * float32 tensor's own storage is returned unless `copy`.
 */
export function float32Data(t: Tensor, copy: boolean): Float32Array {
  if (t.dtype !== 'float32') return t.toFloat32();
  const data = t.data as Float32Array;
  return copy ? data.slice() : data;
}

/** Transpose a row-major [rows, cols] matrix. */
export function transposed(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c]!;
  return out;
}

/**
 * A weight's elements as float32 with its scale applied (a Gemm alpha/beta; 1 leaves them exact).
 * Without `copy`, an unscaled float32 weight shares the model's storage.
 */
export function weightData(w: WeightRef, copy = false): Float32Array {
  const data = float32Data(w.tensor, copy || w.scale !== 1);
  if (w.scale !== 1) for (let i = 0; i < data.length; i++) data[i] = data[i]! * w.scale;
  return data;
}
