// Real-looking batches for an artifact's signature: MRPC dev pairs tokenized with the artifact's
// vocabulary (or the shared uncased one when the model's vocabulary has its size), else seeded
// synthetic rows with MRPC-like lengths. Ids are always inside the model's vocabulary.
import { existsSync } from 'node:fs';
import { BertTokenizer, dataPath, readMrpc, UNCASED_VOCAB_FILE } from '@bert-neuron/bert-text';
import { SeededRandom } from '@bert-neuron/graph-ir/testing';
import type { LoadedArtifact, TensorMap, TensorValue } from '@bert-neuron/neuron-runtime';

/** One batch's rows, before they are laid out for the signature. */
interface Rows {
  readonly ids: Int32Array;
  readonly mask: Int32Array;
  readonly types: Int32Array;
}

export interface BatchFeeds {
  /** Full batches of [batchSize, bucket] for the signature (templates: copy before infer). */
  readonly batches: readonly TensorMap[];
  /** Where the rows came from. */
  readonly source: string;
  /** Mean number of real tokens per row (the rest is padding). */
  readonly meanTokens: number;
}

function mrpcRows(artifact: LoadedArtifact, bucket: number): { rows: Rows[]; source: string } | null {
  const { config, tokenizer } = artifact.manifest;
  const mrpc = dataPath('mrpc', 'dev.tsv');
  if (!existsSync(mrpc)) return null;
  let vocab = artifact.vocabPath;
  let lowerCase = tokenizer.lowerCase;
  if (vocab === null || vocab === undefined) {
    const shared = dataPath(UNCASED_VOCAB_FILE);
    if (!existsSync(shared)) return null;
    vocab = shared;
    lowerCase = true;
  }
  const tok = BertTokenizer.fromVocabFile(vocab, { lowerCase });
  if (tok.vocabSize > config.vocabSize) return null;
  const rows = readMrpc(mrpc).map((r) => {
    const f = tok.encodePair(r.textA, r.textB, { maxLength: bucket });
    return { ids: f.inputIds, mask: f.inputMask, types: f.segmentIds };
  });
  const which = vocab === artifact.vocabPath ? "the artifact's vocab.txt" : 'the shared uncased vocab';
  return { rows, source: `MRPC dev pairs (${rows.length}) tokenized with ${which}` };
}

/** Seeded rows: lengths uniform in [bucket/4, bucket], [CLS] a [SEP] b [SEP] laid out with random ids. */
function syntheticRows(artifact: LoadedArtifact, bucket: number, count: number): Rows[] {
  const vocabSize = artifact.manifest.config.vocabSize;
  // BERT's uncased vocabulary has [CLS] 101 and [SEP] 102; small test vocabularies start with the specials.
  const [cls, sep, first] = vocabSize >= 30000 ? [101, 102, 999] : [2, 3, 5];
  const rng = new SeededRandom(7);
  const rows: Rows[] = [];
  for (let r = 0; r < count; r++) {
    const ids = new Int32Array(bucket);
    const mask = new Int32Array(bucket);
    const types = new Int32Array(bucket);
    const len = rng.int(Math.max(3, Math.floor(bucket / 4)), bucket + 1);
    const split = Math.max(1, Math.floor(len / 2));
    for (let s = 0; s < len; s++) {
      ids[s] = s === 0 ? cls : s === split - 1 || s === len - 1 ? sep : rng.int(first, vocabSize);
      mask[s] = 1;
      types[s] = s >= split ? 1 : 0;
    }
    rows.push({ ids, mask, types });
  }
  return rows;
}

function tensorOf(dtype: 'int32' | 'int64', dims: number[], values: Int32Array): TensorValue {
  return dtype === 'int32'
    ? { dtype, dims, data: values }
    : { dtype, dims, data: BigInt64Array.from(values, (v) => BigInt(v)) };
}

/** Batches for `bucket`: every row real (a closed loop at full batches), each input by its role. */
export function batchFeeds(artifact: LoadedArtifact, bucket: number): BatchFeeds {
  const { batchSize, signature } = artifact.manifest;
  const fromMrpc = mrpcRows(artifact, bucket);
  const rows = fromMrpc?.rows ?? syntheticRows(artifact, bucket, 64 * batchSize);
  const source = fromMrpc?.source ?? `synthetic rows (${rows.length}, lengths uniform in [bucket/4, bucket])`;
  const batches: TensorMap[] = [];
  for (let start = 0; start + batchSize <= rows.length; start += batchSize) {
    const n = batchSize * bucket;
    const byRole: Record<string, Int32Array> = {
      input_ids: new Int32Array(n),
      attention_mask: new Int32Array(n),
      token_type_ids: new Int32Array(n),
      position_ids: new Int32Array(n),
      unused: new Int32Array(n),
    };
    for (let b = 0; b < batchSize; b++) {
      const row = rows[start + b]!;
      byRole.input_ids!.set(row.ids, b * bucket);
      byRole.attention_mask!.set(row.mask, b * bucket);
      byRole.token_type_ids!.set(row.types, b * bucket);
      for (let s = 0; s < bucket; s++) byRole.position_ids![b * bucket + s] = row.mask[s] ? s : 0;
    }
    const feeds: Record<string, TensorValue> = {};
    for (const spec of signature.inputs)
      feeds[spec.name] = tensorOf(spec.dtype as 'int32' | 'int64', [batchSize, bucket], byRole[spec.role]!);
    batches.push(feeds);
  }
  let tokens = 0;
  for (const r of rows) for (const m of r.mask) tokens += m;
  return { batches, source, meanTokens: tokens / rows.length };
}

/** Fresh buffers of a template batch (infer takes ownership of what it is given). */
export function copyFeeds(template: TensorMap): TensorMap {
  const out: Record<string, TensorValue> = {};
  for (const [name, t] of Object.entries(template))
    out[name] = { dtype: t.dtype, dims: [...t.dims], data: t.data.slice() } as TensorValue;
  return out;
}
