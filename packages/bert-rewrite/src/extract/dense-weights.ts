import type { DenseWeights } from '../bert-weights.js';
import type { DenseMatch } from '../detect/dense-match.js';
import type { WeightRef } from '../detect/weight-ref.js';
import { transposed, weightData } from './weight-data.js';

/**
 * Canonical [in, out] kernel and bias of a dense match: a stored [out, in] kernel (Transpose node,
 * Gemm transB) is transposed back, Gemm alpha/beta are applied, float16 becomes float32. A dense
 * without its own bias takes `externalBias` (BiasGelu, SkipLayerNormalization) or zeros.
 * `factor` multiplies kernel and bias (a non-standard attention score scale folded into the query).
 * float32 arrays share the model's storage where no change is needed, unless `copy`.
 */
export function denseWeights(
  d: DenseMatch,
  options: { externalBias?: WeightRef | null; factor?: number; copy?: boolean } = {},
): DenseWeights {
  const { inSize, outSize } = d;
  const factor = options.factor ?? 1;
  const copy = options.copy === true || factor !== 1;
  let kernel = weightData(d.kernel, copy && !d.kernel.transposed);
  if (d.kernel.transposed) kernel = transposed(kernel, outSize, inSize);
  const b = d.bias ?? options.externalBias ?? null;
  const bias = b ? weightData(b, copy) : new Float32Array(outSize);
  if (factor !== 1) {
    for (let i = 0; i < kernel.length; i++) kernel[i] = kernel[i]! * factor;
    for (let i = 0; i < bias.length; i++) bias[i] = bias[i]! * factor;
  }
  return { inSize, outSize, kernel, bias };
}
