import { float16BitsToFloat32 } from '@bert-neuron/graph-ir';
import type { OutputRole } from '@bert-neuron/neuron-runtime';

/** Output roles whose dim 1 is the sequence (compared position by position). */
export const PER_TOKEN_ROLES: ReadonlySet<OutputRole> = new Set<OutputRole>([
  'start_logits',
  'end_logits',
  'last_hidden_state',
  'prediction_scores',
]);

/** Elements kept per output over all samples; wider per-token outputs keep fewer positions. */
export const STORED_ELEMENTS_PER_OUTPUT = 32 * 1024 * 1024;

/** One output of one model run over the verification samples: a row per sample. */
export interface OutputRows {
  readonly role: OutputRole;
  /** Positions kept per row (per-token outputs), else 1. */
  readonly positions: number;
  /** Elements per position (per-token outputs) or per row. */
  readonly inner: number;
  /** rows[i]: sample i's values, positions * inner of them. */
  readonly rows: Float32Array[];
}

/** An output tensor as it comes out of a session. */
export interface RawOutput {
  readonly type: string;
  readonly dims: readonly number[];
  readonly data: ArrayLike<number> | Uint16Array;
}

function toFloat(t: RawOutput, from: number, count: number): Float32Array {
  const out = new Float32Array(count);
  const data = t.data;
  if (t.type === 'float16')
    for (let i = 0; i < count; i++) out[i] = float16BitsToFloat32((data as Uint16Array)[from + i]!);
  else for (let i = 0; i < count; i++) out[i] = Number(data[from + i]);
  return out;
}

/** How many positions of a per-token output to keep for `samples` samples. */
export function keptPositions(compared: number, inner: number, samples: number): number {
  return Math.max(
    1,
    Math.min(compared, Math.floor(STORED_ELEMENTS_PER_OUTPUT / Math.max(1, inner * samples))),
  );
}

/**
 * Append the rows `[0, rows)` of one batch output to `into`: per-token outputs ([batch, run
 * length, ...]) keep their first `into.positions` positions, the others the whole row.
 */
export function appendRows(into: OutputRows, t: RawOutput, rows: number): void {
  const batch = t.dims[0] ?? 1;
  const perRow = t.dims.slice(1).reduce((a, b) => a * b, 1);
  if (PER_TOKEN_ROLES.has(into.role)) {
    const runLength = t.dims[1] ?? 1;
    const inner = perRow / runLength;
    for (let r = 0; r < Math.min(rows, batch); r++)
      into.rows.push(toFloat(t, r * perRow, into.positions * inner));
  } else for (let r = 0; r < Math.min(rows, batch); r++) into.rows.push(toFloat(t, r * perRow, perRow));
}

/** The inner size of an output from a batch of it (elements per position, or per row). */
export function innerSize(role: OutputRole, dims: readonly number[]): number {
  const perRow = dims.slice(1).reduce((a, b) => a * b, 1);
  return PER_TOKEN_ROLES.has(role) ? perRow / (dims[1] ?? 1) : perRow;
}
