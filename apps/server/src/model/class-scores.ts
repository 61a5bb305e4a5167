import type { TensorMap } from '@bert-neuron/neuron-runtime';
import { halfToNumber } from './half-float.js';
import type { ModelIo } from './model-io.js';

/** One row's answer: class probabilities (summing to 1) and the most probable class. */
export interface ClassScores {
  readonly probabilities: readonly number[];
  /** argmax of the probabilities (the lower class on a tie). */
  readonly prediction: number;
}

/** Softmax of one row of logits, in double precision, max-subtracted. */
export function softmax(logits: ArrayLike<number>): number[] {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]!);
  const out = new Array<number>(logits.length);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += out[i] = Math.exp(logits[i]! - max);
  for (let i = 0; i < out.length; i++) out[i]! /= sum;
  return out;
}

/** Index of the largest value (the first on a tie). */
export function argmax(values: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}

/**
 * Split a batch's score output into one ClassScores per row: logits go through a softmax,
 * log-probabilities through exp, probabilities are taken as they are.
 */
export function classScores(io: ModelIo, outputs: TensorMap, rows: number): ClassScores[] {
  const t = outputs[io.output.name];
  if (t === undefined) throw new Error(`the device returned no '${io.output.name}' output`);
  const labels = t.dims[1] ?? 0;
  if (t.dims.length !== 2 || t.dims[0] !== rows || labels !== io.labels)
    throw new Error(
      `output '${io.output.name}' has dims [${t.dims.join(', ')}], expected [${rows}, ${io.labels}]`,
    );
  const raw = t.data;
  const value =
    t.dtype === 'float16' ? (i: number) => halfToNumber(raw[i] as number) : (i: number) => raw[i] as number;
  const results: ClassScores[] = [];
  for (let r = 0; r < rows; r++) {
    const row = new Array<number>(labels);
    for (let c = 0; c < labels; c++) row[c] = value(r * labels + c);
    const probabilities =
      io.output.kind === 'logits'
        ? softmax(row)
        : io.output.kind === 'log_probabilities'
          ? row.map(Math.exp)
          : row;
    results.push({ probabilities, prediction: argmax(probabilities) });
  }
  return results;
}
