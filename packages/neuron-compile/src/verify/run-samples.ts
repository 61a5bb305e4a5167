import type { OutputRole, TensorValue } from '@bert-neuron/neuron-runtime';
import { type FeedSpec, inputFeeds } from './input-feeds.js';
import {
  appendRows,
  innerSize,
  keptPositions,
  type OutputRows,
  PER_TOKEN_ROLES,
  type RawOutput,
} from './output-rows.js';
import type { VerifySample } from './verify-samples.js';

/** Runs one batch of a model: feeds of [batch, length] in, outputs by name out. */
export type RunBatch = (feeds: Record<string, TensorValue>) => Promise<Record<string, RawOutput>>;

export interface RunSamplesOptions {
  readonly inputs: readonly FeedSpec[];
  /** The outputs to keep, by name, with their roles. */
  readonly outputs: readonly { readonly name: string; readonly role: OutputRole }[];
  /** Rows per run (the model's batch); the last run is padded with dummy rows. */
  readonly batch: number;
  /** The sequence length the model runs at. */
  readonly length: number;
  /** Positions of per-token outputs compared (at most the length). */
  readonly compared: number;
  readonly signal?: AbortSignal;
}

/** Run every sample through a model, a batch at a time, and keep each output's rows per sample. */
export async function runSamples(
  run: RunBatch,
  samples: readonly VerifySample[],
  o: RunSamplesOptions,
): Promise<Record<string, OutputRows>> {
  const result: Record<string, OutputRows> = {};
  for (let start = 0; start < samples.length; start += o.batch) {
    if (o.signal?.aborted) throw o.signal.reason;
    const chunk = samples.slice(start, start + o.batch);
    const out = await run(inputFeeds(o.inputs, chunk, o.batch, o.length));
    for (const { name, role } of o.outputs) {
      const t = out[name];
      if (t === undefined) throw new Error(`the run produced no output '${name}'`);
      let rows = result[name];
      if (rows === undefined) {
        const inner = innerSize(role, t.dims);
        const positions = PER_TOKEN_ROLES.has(role) ? keptPositions(o.compared, inner, samples.length) : 1;
        rows = { role, positions, inner, rows: [] };
        result[name] = rows;
      }
      appendRows(rows, t, chunk.length);
    }
  }
  return result;
}
