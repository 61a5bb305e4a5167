import type { PrecisionPolicy } from '@bert-neuron/bert-rewrite';

/** Bounds on the errors of a comparison; an absent bound is not checked. */
export interface Tolerance {
  readonly maxAbsError?: number;
  readonly maxRelError?: number;
}

/** What a compile at a precision must reproduce. */
export interface VerificationTolerance {
  /** Against the source model. */
  readonly source: Tolerance;
  /** Against the reference model isolating the precision's own error (aggressive: FP32 with the sigmoid GELU), or null. */
  readonly reference: Tolerance | null;
  /** The rule in words, for the report. */
  readonly rule: string;
}

/**
 * The tolerances, bert-rewrite's (relative error = max |a - b| / max |b|):
 * - fp32: max absolute error 1e-4 against the source;
 * - mixed: relative 1e-2 against the source;
 * - aggressive: relative 1e-2 against the reference (the same weights in FP32 with the GELU already
 *   x * sigmoid(1.702 x): what the FP16 LayerNorms and dense layers cost), and relative 5e-2
 *   against the source (the sigmoid GELU itself moves random-weight BERTs by ~1.5e-2 to 2.5e-2, more
 *   with depth; 5e-2 is int8's budget, the other approximation of the model's function);
 * - int8: relative 5e-2 against the source.
 * A source that itself computes in float16 cannot be matched closer than float16 allows: against
 * it, no bound is tighter than mixed's relative 1e-2. And no FP32 compile can agree with a source
 * more closely than the source agrees with itself when onnxruntime reorders its float arithmetic:
 * `sourceNoise` (the largest |difference| between the source run with graph optimizations off and
 * on) raises the fp32 bound to twice it when that is above 1e-4 (randomly initialized BERTs with
 * sharp attention move by ~1e-3 that way; trained ones by ~1e-6).
 */
export function verificationTolerance(
  precision: PrecisionPolicy,
  sourceIsFloat16: boolean,
  sourceNoise: number | null = null,
): VerificationTolerance {
  switch (precision) {
    case 'fp32': {
      if (sourceIsFloat16)
        return {
          source: { maxRelError: 1e-2 },
          reference: null,
          rule: 'relative error <= 1e-2 against the float16 source (fp32 cannot be closer to a float16 model)',
        };
      const bound = sourceNoise !== null && 2 * sourceNoise > 1e-4 ? 2 * sourceNoise : 1e-4;
      return {
        source: { maxAbsError: bound },
        reference: null,
        rule:
          bound > 1e-4
            ? `max absolute error <= ${bound.toExponential(2)} against the source: twice what onnxruntime's own graph optimizations move this ill-conditioned source by (${sourceNoise!.toExponential(2)}), above the usual 1e-4`
            : 'max absolute error <= 1e-4 against the source',
      };
    }
    case 'mixed':
      return {
        source: { maxRelError: 1e-2 },
        reference: null,
        rule: 'relative error <= 1e-2 against the source',
      };
    case 'aggressive':
      return {
        source: { maxRelError: 5e-2 },
        reference: { maxRelError: 1e-2 },
        rule: 'relative error <= 1e-2 against FP32 with the sigmoid GELU, <= 5e-2 against the source',
      };
    case 'int8':
      return {
        source: { maxRelError: 5e-2 },
        reference: null,
        rule: 'relative error <= 5e-2 against the source',
      };
  }
}

/** The first bound the figures exceed, in words, or null when they are within the tolerance. */
export function exceeded(
  figures: { readonly maxAbsError: number; readonly maxRelError: number },
  t: Tolerance,
): string | null {
  if (t.maxAbsError !== undefined && !(figures.maxAbsError <= t.maxAbsError))
    return `max absolute error ${figures.maxAbsError.toExponential(2)} > ${t.maxAbsError}`;
  if (t.maxRelError !== undefined && !(figures.maxRelError <= t.maxRelError))
    return `relative error ${figures.maxRelError.toExponential(2)} > ${t.maxRelError}`;
  return null;
}
