// Helpers of the precision, partition and flops tests: tagged BERT models from buildNeuronBert,
// seeded inputs with padding (and a fully padded row), onnxruntime runs with graph optimizations
// off, and the relative error the tolerances are stated in.
import { BERT_PRESETS, type BertPresetName, generateBertWeights } from '@bert-neuron/bert-models';
import { float16BitsToFloat32, type Model, writeModel } from '@bert-neuron/graph-ir';
import { SeededRandom } from '@bert-neuron/graph-ir/testing';
import ort from 'onnxruntime-node';
import type { BertConfig } from '../src/bert-config.js';
import { buildNeuronBert } from '../src/build/build-neuron-bert.js';
import type { NeuronBertOptions } from '../src/build/neuron-bert-options.js';

export interface TaggedBert {
  readonly config: BertConfig;
  readonly model: Model;
}

/** A BERT of a preset with seeded weights, built by buildNeuronBert (every node tagged). */
export function taggedBert(
  preset: BertPresetName,
  options: Partial<NeuronBertOptions> & { labels?: number; seed?: number } = {},
): TaggedBert {
  const config = BERT_PRESETS[preset];
  const { labels = 3, seed = 7, ...rest } = options;
  const head = rest.head ?? 'sequence-classification';
  const weights = generateBertWeights(config, {
    seed,
    pooler: head !== 'question-answering',
    classifierLabels: head === 'sequence-classification' ? labels : 0,
    questionAnswering: head === 'question-answering',
  });
  const defaults: Partial<NeuronBertOptions> =
    head === 'sequence-classification' ? { outputs: ['logits', 'probabilities'] } : {};
  return { config, model: buildNeuronBert(config, weights, { ...defaults, ...rest, head }) };
}

/**
 * int64 input_ids / attention_mask / token_type_ids [batch, sequence]: row 0 full length, the
 * others random lengths from 2, ids random in the real part and 0 after; with `emptyRow` the last
 * row is fully padded (mask all 0), as the batcher's dummy requests are.
 */
export function paddedFeeds(
  batch: number,
  sequence: number,
  vocab: number,
  options: { seed?: number; emptyRow?: boolean } = {},
): Record<string, ort.Tensor> {
  const rng = new SeededRandom(options.seed ?? 3);
  const ids = new BigInt64Array(batch * sequence);
  const mask = new BigInt64Array(batch * sequence);
  const types = new BigInt64Array(batch * sequence);
  for (let b = 0; b < batch; b++) {
    const empty = options.emptyRow === true && b === batch - 1;
    const len = empty ? 0 : b === 0 ? sequence : rng.int(2, sequence + 1);
    for (let s = 0; s < len; s++) {
      ids[b * sequence + s] = BigInt(s === 0 ? 101 : rng.int(1000, vocab));
      mask[b * sequence + s] = 1n;
      types[b * sequence + s] = s >= len / 2 ? 1n : 0n;
    }
  }
  const dims = [batch, sequence];
  return {
    input_ids: new ort.Tensor('int64', ids, dims),
    attention_mask: new ort.Tensor('int64', mask, dims),
    token_type_ids: new ort.Tensor('int64', types, dims),
  };
}

export interface Output {
  readonly type: string;
  readonly dims: readonly number[];
  readonly data: Float64Array;
}

/** Run a model with graph optimizations off, one thread; only the inputs the model has are fed. */
export async function runRaw(
  model: Model | Uint8Array,
  feeds: Record<string, ort.Tensor>,
): Promise<Record<string, ort.Tensor>> {
  const bytes = model instanceof Uint8Array ? model : writeModel(model);
  const session = await ort.InferenceSession.create(bytes, {
    graphOptimizationLevel: 'disabled',
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
  });
  try {
    const used: Record<string, ort.Tensor> = {};
    for (const name of session.inputNames) {
      const t = feeds[name];
      if (t === undefined) throw new Error(`no feed for input '${name}'`);
      used[name] = t;
    }
    return (await session.run(used)) as Record<string, ort.Tensor>;
  } finally {
    await session.release();
  }
}

/** runRaw with every output as float64 numbers (float16 decoded, int64 converted). */
export async function run(
  model: Model | Uint8Array,
  feeds: Record<string, ort.Tensor>,
): Promise<Record<string, Output>> {
  const results = await runRaw(model, feeds);
  const out: Record<string, Output> = {};
  for (const [name, t] of Object.entries(results)) {
    const raw = t.data as ArrayLike<number | bigint>;
    const data =
      t.type === 'float16'
        ? Float64Array.from(raw as Uint16Array, float16BitsToFloat32)
        : Float64Array.from(raw as ArrayLike<number>, Number);
    out[name] = { type: t.type, dims: [...t.dims], data };
  }
  return out;
}

/** Relative error of `actual` against `expected`: max |a - e| / max |e| over the whole output. */
export function relativeError(actual: Output, expected: Output, rows?: readonly number[]): number {
  if (actual.dims.join(',') !== expected.dims.join(','))
    throw new Error(`dims differ: [${actual.dims}] vs [${expected.dims}]`);
  const perRow = expected.data.length / (expected.dims[0] ?? 1);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.data.length; i++) {
    if (rows !== undefined && !rows.includes(Math.floor(i / perRow))) continue;
    const d = Math.abs(actual.data[i]! - expected.data[i]!);
    diff = Number.isNaN(d) ? Number.POSITIVE_INFINITY : Math.max(diff, d);
    scale = Math.max(scale, Math.abs(expected.data[i]!));
  }
  return diff / scale;
}

export function allFinite(o: Output): boolean {
  return o.data.every(Number.isFinite);
}
