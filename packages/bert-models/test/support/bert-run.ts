// Running generated BERT models through onnxruntime-node on seeded, padded inputs.
import { type Model, writeModel } from '@bert-neuron/graph-ir';
import { SeededRandom } from '@bert-neuron/graph-ir/testing';
import ort from 'onnxruntime-node';

/** One batch of BERT features: row-major [batch, sequence] int32 arrays plus each row's real length. */
export interface BertBatch {
  batch: number;
  sequence: number;
  inputIds: Int32Array;
  inputMask: Int32Array;
  segmentIds: Int32Array;
}

/**
 * A seeded batch shaped like real pair features: `[CLS] a [SEP] b [SEP]` then padding (id 0, mask
 * 0, segment 0). Row lengths are given (each >= 5, <= sequence); token ids avoid the special range.
 */
export function seededBatch(seed: number, sequence: number, lengths: readonly number[]): BertBatch {
  const rng = new SeededRandom(seed);
  const batch = lengths.length;
  const inputIds = new Int32Array(batch * sequence);
  const inputMask = new Int32Array(batch * sequence);
  const segmentIds = new Int32Array(batch * sequence);
  lengths.forEach((len, r) => {
    const firstSep = 1 + Math.floor((len - 3) / 2) + 1;
    for (let i = 0; i < len; i++) {
      const at = r * sequence + i;
      inputIds[at] = i === 0 ? 101 : i === firstSep || i === len - 1 ? 102 : rng.int(1000, 30000);
      inputMask[at] = 1;
      segmentIds[at] = i > firstSep ? 1 : 0;
    }
  });
  return { batch, sequence, inputIds, inputMask, segmentIds };
}

/** The first `sequence` columns of a batch (only padding may be cut). */
export function truncateBatch(b: BertBatch, sequence: number): BertBatch {
  const cut = (a: Int32Array) => {
    const out = new Int32Array(b.batch * sequence);
    for (let r = 0; r < b.batch; r++)
      out.set(a.subarray(r * b.sequence, r * b.sequence + sequence), r * sequence);
    return out;
  };
  return {
    batch: b.batch,
    sequence,
    inputIds: cut(b.inputIds),
    inputMask: cut(b.inputMask),
    segmentIds: cut(b.segmentIds),
  };
}

export async function session(model: Model | Uint8Array | string): Promise<ort.InferenceSession> {
  const source = typeof model === 'string' || model instanceof Uint8Array ? model : writeModel(model);
  const options: ort.InferenceSession.SessionOptions = { intraOpNumThreads: 1, interOpNumThreads: 1 };
  return typeof source === 'string'
    ? ort.InferenceSession.create(source, options)
    : ort.InferenceSession.create(source, options);
}

/** Feeds for an hf-torch model (int64 input_ids, attention_mask, token_type_ids). */
export function hfFeeds(b: BertBatch): Record<string, ort.Tensor> {
  const t = (a: Int32Array) =>
    new ort.Tensor(
      'int64',
      BigInt64Array.from(a, (v) => BigInt(v)),
      [b.batch, b.sequence],
    );
  return { input_ids: t(b.inputIds), attention_mask: t(b.inputMask), token_type_ids: t(b.segmentIds) };
}

/** Feeds for a tf-google model (int32 input_ids, input_mask, segment_ids, and the unused inputs it declares). */
export function tfFeeds(b: BertBatch, s: ort.InferenceSession): Record<string, ort.Tensor> {
  const t = (a: Int32Array) => new ort.Tensor('int32', a, [b.batch, b.sequence]);
  const feeds: Record<string, ort.Tensor> = {
    input_ids: t(b.inputIds),
    input_mask: t(b.inputMask),
    segment_ids: t(b.segmentIds),
  };
  for (const name of ['label_ids', 'is_real_example'])
    if (s.inputNames.includes(name))
      feeds[name] = new ort.Tensor('int32', new Int32Array(b.batch), [b.batch]);
  return feeds;
}

/** Row-wise softmax of [rows, cols] logits. */
export function softmaxRows(logits: ArrayLike<number>, cols: number): Float64Array {
  const out = new Float64Array(logits.length);
  for (let r = 0; r < logits.length / cols; r++) {
    let max = -Infinity;
    for (let c = 0; c < cols; c++) max = Math.max(max, logits[r * cols + c]!);
    let sum = 0;
    for (let c = 0; c < cols; c++) sum += out[r * cols + c] = Math.exp(logits[r * cols + c]! - max);
    for (let c = 0; c < cols; c++) out[r * cols + c] /= sum;
  }
  return out;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** Sum of the sizes of the float32 weights (initializers of rank >= 1), skipping OneHot's [off, on] values. */
export function weightCount(model: Model): number {
  let n = 0;
  for (const v of model.graph.initializers) {
    const t = v.initializer!;
    if (t.dtype !== 'float32' || t.rank === 0) continue;
    if (v.uses.every((u) => u.node.opType === 'OneHot')) continue;
    n += t.size;
  }
  return n;
}
