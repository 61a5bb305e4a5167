import type { InputRole, TensorDtype, TensorValue } from '@bert-neuron/neuron-runtime';
import type { VerifySample } from './verify-samples.js';

/** An input to feed by role. */
export interface FeedSpec {
  readonly name: string;
  readonly role: InputRole;
  readonly dtype: TensorDtype;
  /** The declared shape, for an unused input that is not [batch, sequence] (fed zeros). */
  readonly shape?: readonly (number | string | null)[];
}

/** Zeros for an unused input of another rank: dim 0 is the batch, other unknown dims 1. */
function zerosLike(spec: FeedSpec, rows: number): TensorValue {
  const dims = (spec.shape ?? []).map((d, i) => (i === 0 ? rows : typeof d === 'number' ? d : 1));
  const n = dims.reduce((a, b) => a * b, 1);
  const data =
    spec.dtype === 'int64'
      ? new BigInt64Array(n)
      : spec.dtype === 'float32'
        ? new Float32Array(n)
        : new Int32Array(n);
  return { dtype: spec.dtype, dims, data } as TensorValue;
}

function valuesFor(role: InputRole, s: VerifySample | undefined, p: number): number {
  if (s === undefined || p >= s.length) return 0;
  switch (role) {
    case 'input_ids':
      return s.ids[p]!;
    case 'attention_mask':
      return 1;
    case 'token_type_ids':
      return s.typeIds[p]!;
    case 'position_ids':
      return p;
    default:
      return 0;
  }
}

/**
 * Feeds of `rows` rows of `length` tokens from `samples` (row i from samples[i]; rows past the
 * samples repeat the first one: the dummy rows that pad a short batch), zero padded, in each
 * input's dtype. Position ids count 0..length-1 on every row, padding included.
 */
export function inputFeeds(
  specs: readonly FeedSpec[],
  samples: readonly VerifySample[],
  rows: number,
  length: number,
): Record<string, TensorValue> {
  const feeds: Record<string, TensorValue> = {};
  for (const spec of specs) {
    if (spec.role === 'unused' && spec.shape !== undefined && spec.shape.length !== 2) {
      feeds[spec.name] = zerosLike(spec, rows);
      continue;
    }
    const n = rows * length;
    const wide = spec.dtype === 'int64';
    const data = wide
      ? new BigInt64Array(n)
      : spec.dtype === 'float32'
        ? new Float32Array(n)
        : new Int32Array(n);
    for (let r = 0; r < rows; r++) {
      const s = samples[r] ?? samples[0];
      for (let p = 0; p < length; p++) {
        const v = spec.role === 'position_ids' ? p : valuesFor(spec.role, s, p);
        if (wide) (data as BigInt64Array)[r * length + p] = BigInt(v);
        else (data as Int32Array | Float32Array)[r * length + p] = v;
      }
    }
    feeds[spec.name] = { dtype: spec.dtype, dims: [rows, length], data } as TensorValue;
  }
  return feeds;
}
