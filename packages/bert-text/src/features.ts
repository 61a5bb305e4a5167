import { BertTextError } from './errors.js';

/** Model inputs for one example, as Google's `run_classifier.py convert_single_example` builds them. */
export interface EncodedFeatures {
  /** `[CLS] a [SEP] b [SEP]` (or `[CLS] a [SEP]`) as ids, then zeros up to `maxLength`. */
  inputIds: Int32Array;
  /** 1 for each real token, 0 for padding. */
  inputMask: Int32Array;
  /** 0 for `[CLS] a [SEP]`, 1 for `b [SEP]`, 0 for padding. */
  segmentIds: Int32Array;
  /** Number of real tokens (the count of ones in `inputMask`), always <= `maxLength`. */
  length: number;
}

export interface FeatureOptions {
  /** Sequence length of the features. Default 128. Pairs need >= 3, single sentences >= 2. */
  maxLength?: number;
}

export interface SpecialIds {
  cls: number;
  sep: number;
}

export const DEFAULT_MAX_LENGTH = 128;

/** Upper bound on `maxLength`, far above any BERT position table; guards against absurd allocations. */
export const MAX_MAX_LENGTH = 65_536;

/** Checks `maxLength` and returns it (or the default). Throws `BTX_ERR_ARGUMENT`. */
export function resolveMaxLength(maxLength: number | undefined, minimum: number, what: string): number {
  const value = maxLength ?? DEFAULT_MAX_LENGTH;
  if (!Number.isInteger(value) || value < minimum || value > MAX_MAX_LENGTH) {
    throw new BertTextError(
      'BTX_ERR_ARGUMENT',
      `maxLength must be an integer from ${minimum} to ${MAX_MAX_LENGTH} for ${what} ` +
        `(room for the special tokens), got ${String(maxLength)}: pass e.g. { maxLength: 128 }`,
    );
  }
  return value;
}

/**
 * The reference `_truncate_seq_pair` on lengths: while the total exceeds `maxTotal`, drop the last
 * token of the longer sequence, of `b` when both are equally long. Returns the kept lengths.
 */
export function truncatedPairLengths(
  lengthA: number,
  lengthB: number,
  maxTotal: number,
): { lengthA: number; lengthB: number } {
  while (lengthA + lengthB > maxTotal) {
    if (lengthA > lengthB) lengthA--;
    else lengthB--;
  }
  return { lengthA, lengthB };
}

/** The reference `_truncate_seq_pair`, in place: pops the last item of the longer array (ties: `b`). */
export function truncateSeqPair<T>(tokensA: T[], tokensB: T[], maxTotal: number): void {
  const { lengthA, lengthB } = truncatedPairLengths(tokensA.length, tokensB.length, maxTotal);
  tokensA.length = lengthA;
  tokensB.length = lengthB;
}

/**
 * Features for `idsA` and, when `idsB` is non-empty, `idsB`, exactly as `convert_single_example`:
 * - a non-empty `b`: `_truncate_seq_pair(a, b, maxLength - 3)`, then `[CLS] a [SEP] b [SEP]`;
 * - an empty or missing `b` (the reference tests `if tokens_b:`): `a` cut to `maxLength - 2`, then
 *   `[CLS] a [SEP]`. A `b` that truncation empties (possible only for maxLength 3 or 4) also gets
 *   no `[SEP]` of its own, as in the reference.
 * Padding is zeros (the reference appends the literal 0, which is `[PAD]` in BERT vocabularies).
 * `maxLength` must already be valid (see `resolveMaxLength`).
 */
export function buildFeatures(
  idsA: readonly number[],
  idsB: readonly number[] | null,
  maxLength: number,
  special: SpecialIds,
): EncodedFeatures {
  let lengthA: number;
  let lengthB = 0;
  if (idsB !== null && idsB.length > 0) {
    ({ lengthA, lengthB } = truncatedPairLengths(idsA.length, idsB.length, maxLength - 3));
  } else {
    lengthA = Math.min(idsA.length, maxLength - 2);
  }
  const inputIds = new Int32Array(maxLength);
  const inputMask = new Int32Array(maxLength);
  const segmentIds = new Int32Array(maxLength);
  let p = 0;
  inputIds[p++] = special.cls;
  for (let i = 0; i < lengthA; i++) inputIds[p++] = idsA[i];
  inputIds[p++] = special.sep;
  if (lengthB > 0 && idsB !== null) {
    const startB = p;
    for (let i = 0; i < lengthB; i++) inputIds[p++] = idsB[i];
    inputIds[p++] = special.sep;
    segmentIds.fill(1, startB, p);
  }
  inputMask.fill(1, 0, p);
  return { inputIds, inputMask, segmentIds, length: p };
}
