import { float16BitsToFloat32, float32ToFloat16Bits, type Value } from '@bert-neuron/graph-ir';

/** The number held by a one-element constant (initializer or Constant output, any rank), else undefined. */
export function scalarValue(v: Value | null | undefined): number | undefined {
  const t = v?.constant;
  if (t === undefined || t.size !== 1 || t.dtype === 'string') return undefined;
  return t.getNumber(0);
}

/** True when x survives a round trip through float16 (a constant that came from a float16 model). */
function isHalfValue(x: number): boolean {
  return float16BitsToFloat32(float32ToFloat16Bits(x)) === Math.fround(x);
}

/**
 * Relative tolerance for decimal constants (sqrt(2), 0.044715, ...) as a graph stores them:
 * float32 keeps about 7 digits; float16 about 3, also once cast to float32 (ONNX Runtime's float16
 * models compute in float32 from float16 constants), which shows as a value float16 holds exactly.
 */
export function constantTolerance(constants: readonly (Value | null | undefined)[]): number {
  let tol = 1e-5;
  for (const v of constants) {
    const t = v?.constant;
    if (t === undefined || t.size !== 1) continue;
    if (t.dtype === 'bfloat16') tol = Math.max(tol, 1e-2);
    else if (t.dtype === 'float16' || (t.dtype === 'float32' && isHalfValue(t.getNumber(0))))
      tol = Math.max(tol, 2e-3);
  }
  return tol;
}

/** |a - b| within `rel` of |b| (false for undefined a). */
export function near(a: number | undefined, b: number, rel: number): boolean {
  return a !== undefined && Math.abs(a - b) <= rel * Math.abs(b);
}

/** A one-element constant close to `expected` for the precision it is stored in. */
export function isScalarNear(v: Value | null | undefined, expected: number): boolean {
  return near(scalarValue(v), expected, constantTolerance([v]));
}
