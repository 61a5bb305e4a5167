// Helpers of the build-* tests: seeded BERT inputs with realistic padding, running a model
// through onnxruntime-node (graph optimizations off), and comparing outputs.
import { type Model, writeModel } from '@bert-neuron/graph-ir';
import { SeededRandom } from '@bert-neuron/graph-ir/testing';
import ort from 'onnxruntime-node';

export interface FeedSpec {
  readonly batch: number;
  readonly sequence: number;
  readonly vocab: number;
  readonly seed: number;
  /** Input names; a missing mask or types name leaves that input out. */
  readonly ids: string;
  readonly mask?: string;
  readonly types?: string;
  readonly dtype: 'int64' | 'int32';
}

export interface BertFeedData {
  readonly feeds: Record<string, ort.Tensor>;
  /** Real (unpadded) length of each row. */
  readonly lengths: number[];
}

/**
 * Seeded inputs as a tokenizer makes them: row 0 full length, the others a random length from 2
 * up (at least one shorter row when the batch has several); ids random below the vocab in the real
 * part and 0 ([PAD]) after it; mask 1 then 0; token types 0 for the first segment, 1 for the
 * second, 0 in the padding.
 */
export function bertFeeds(spec: FeedSpec): BertFeedData {
  const rng = new SeededRandom(spec.seed);
  const { batch: B, sequence: S } = spec;
  const lengths = Array.from({ length: B }, (_, r) => (r === 0 || S < 3 ? S : rng.int(2, S)));
  if (B > 1 && S > 2) lengths[B - 1] = Math.max(2, Math.floor(S / 3));
  const ids = new Array<number>(B * S).fill(0);
  const mask = new Array<number>(B * S).fill(0);
  const types = new Array<number>(B * S).fill(0);
  for (let r = 0; r < B; r++) {
    const len = lengths[r]!;
    const split = Math.max(1, Math.floor(len / 2));
    for (let c = 0; c < len; c++) {
      ids[r * S + c] = c === 0 ? 1 : rng.int(1, spec.vocab);
      mask[r * S + c] = 1;
      types[r * S + c] = c < split ? 0 : 1;
    }
  }
  const tensor = (values: number[]) =>
    spec.dtype === 'int64'
      ? new ort.Tensor(
          'int64',
          BigInt64Array.from(values, (x) => BigInt(x)),
          [B, S],
        )
      : new ort.Tensor('int32', Int32Array.from(values), [B, S]);
  const feeds: Record<string, ort.Tensor> = { [spec.ids]: tensor(ids) };
  if (spec.mask !== undefined) feeds[spec.mask] = tensor(mask);
  if (spec.types !== undefined) feeds[spec.types] = tensor(types);
  return { feeds, lengths };
}

export interface OutputTensor {
  readonly dims: readonly number[];
  readonly data: Float32Array;
}

/** Run a model (written to bytes) on the feeds with graph optimizations disabled. */
export async function runModel(
  model: Model | Uint8Array,
  feeds: Record<string, ort.Tensor>,
): Promise<Record<string, OutputTensor>> {
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
    const results = await session.run(used);
    const out: Record<string, OutputTensor> = {};
    for (const [name, t] of Object.entries(results))
      out[name] = { dims: [...t.dims], data: t.data as Float32Array };
    return out;
  } finally {
    await session.release();
  }
}

/** Largest |a - b| over all elements (the dims must agree). */
export function maxAbsDiff(a: OutputTensor, b: OutputTensor): number {
  if (a.dims.join(',') !== b.dims.join(',')) throw new Error(`dims differ: [${a.dims}] vs [${b.dims}]`);
  let m = 0;
  for (let i = 0; i < a.data.length; i++) {
    const d = Math.abs(a.data[i]! - b.data[i]!);
    if (Number.isNaN(d)) return Number.NaN;
    if (d > m) m = d;
  }
  return m;
}

/** Largest |x| over all elements (to put an error in scale). */
export function maxAbs(a: OutputTensor): number {
  let m = 0;
  for (const x of a.data) m = Math.max(m, Math.abs(x));
  return m;
}
