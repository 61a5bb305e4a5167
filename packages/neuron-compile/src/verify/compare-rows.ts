import type { OutputRole } from '@bert-neuron/neuron-runtime';
import { type OutputRows, PER_TOKEN_ROLES } from './output-rows.js';
import type { VerifySample } from './verify-samples.js';

/** Errors of one output (or of all of them): largest |a - b|, and that over the largest |b|. */
export interface ErrorFigures {
  readonly maxAbsError: number;
  /** max |a - b| / max |b| over the compared elements (bert-rewrite's relative error). */
  readonly maxRelError: number;
  /** Rows (or start/end positions) whose argmax agrees, of those compared. */
  readonly argmaxAgree: number;
  readonly argmaxCompared: number;
}

export interface Comparison extends ErrorFigures {
  readonly outputs: Readonly<Record<string, ErrorFigures>>;
}

const ROW_ARGMAX: ReadonlySet<OutputRole> = new Set<OutputRole>([
  'logits',
  'probabilities',
  'log_probabilities',
  'seq_relationship_score',
]);
const POSITION_ARGMAX: ReadonlySet<OutputRole> = new Set<OutputRole>(['start_logits', 'end_logits']);

function argmax(a: Float32Array, count: number): number {
  let best = 0;
  for (let i = 1; i < count; i++) if (a[i]! > a[best]!) best = i;
  return best;
}

/** Compare `actual` with `expected`, output by output (same names), over every sample row. */
export function compareRows(
  actual: Readonly<Record<string, OutputRows>>,
  expected: Readonly<Record<string, OutputRows>>,
  samples: readonly VerifySample[],
): Comparison {
  const outputs: Record<string, ErrorFigures> = {};
  let maxAbs = 0;
  let maxRel = 0;
  let agree = 0;
  let compared = 0;
  for (const [name, e] of Object.entries(expected)) {
    const a = actual[name];
    if (a === undefined) throw new Error(`no output '${name}' to compare`);
    const perToken = PER_TOKEN_ROLES.has(e.role);
    const positions = Math.min(a.positions, e.positions);
    let diff = 0;
    let scale = 0;
    let ok = 0;
    let n = 0;
    for (let r = 0; r < Math.min(a.rows.length, e.rows.length); r++) {
      const ar = a.rows[r]!;
      const er = e.rows[r]!;
      const count = perToken ? positions * e.inner : e.inner;
      for (let i = 0; i < count; i++) {
        const d = Math.abs(ar[i]! - er[i]!);
        diff = Number.isNaN(d) ? Number.POSITIVE_INFINITY : Math.max(diff, d);
        scale = Math.max(scale, Math.abs(er[i]!));
      }
      if (ROW_ARGMAX.has(e.role)) {
        n++;
        if (argmax(ar, e.inner) === argmax(er, e.inner)) ok++;
      } else if (POSITION_ARGMAX.has(e.role) && e.inner === 1) {
        const valid = Math.max(1, Math.min(samples[r]?.length ?? positions, positions));
        n++;
        if (argmax(ar, valid) === argmax(er, valid)) ok++;
      }
    }
    const rel = scale > 0 ? diff / scale : diff;
    outputs[name] = { maxAbsError: diff, maxRelError: rel, argmaxAgree: ok, argmaxCompared: n };
    maxAbs = Math.max(maxAbs, diff);
    maxRel = Math.max(maxRel, rel);
    agree += ok;
    compared += n;
  }
  return { outputs, maxAbsError: maxAbs, maxRelError: maxRel, argmaxAgree: agree, argmaxCompared: compared };
}
