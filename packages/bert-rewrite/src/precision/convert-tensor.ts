import { FLOAT16_MAX, float32ToFloat16Bits, Tensor } from '@bert-neuron/graph-ir';

/**
 * x clamped into the finite float16 range: |x| > 65504 (including +-inf) becomes +-65504, so a
 * `finfo(float32).min` mask constant turns into -65504 rather than -inf. NaN stays NaN.
 */
export function clampToFloat16Range(x: number): number {
  if (x > FLOAT16_MAX) return FLOAT16_MAX;
  if (x < -FLOAT16_MAX) return -FLOAT16_MAX;
  return x;
}

/**
 * A float constant in another float type: to float16 each element is clamped into range
 * (clampToFloat16Range) and rounded to nearest even; to float32 the conversion is exact from
 * float16. Dims are kept; the source is not changed.
 */
export function convertFloatTensor(t: Tensor, to: 'float16' | 'float32'): Tensor {
  if (t.dtype === to) return t;
  const values = t.toFloat32();
  // toFloat32 only shares storage for float32 sources, and those return above.
  if (to === 'float32') return Tensor.from('float32', t.dims, values);
  const bits = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) bits[i] = float32ToFloat16Bits(clampToFloat16Range(values[i]!));
  return Tensor.from('float16', t.dims, bits);
}
