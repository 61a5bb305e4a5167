import { existsSync } from 'node:fs';
import { BertTokenizer, dataPath, readMrpc } from '@bert-neuron/bert-text';

/** One verification input: token ids, mask and segment ids of `length` real tokens (unpadded). */
export interface VerifySample {
  readonly ids: Int32Array;
  readonly typeIds: Int32Array;
  readonly length: number;
}

/** Where the samples came from, for the report. */
export type SampleSource = 'mrpc-dev' | 'random';

export interface SampleSet {
  readonly source: SampleSource;
  readonly samples: readonly VerifySample[];
  /** Why MRPC pairs were not used, when a vocab was given but the data was missing. */
  readonly note: string | null;
}

/** A small deterministic generator (mulberry32), seeded. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Seeded random samples of realistic shape: `[CLS] a [SEP] b [SEP]` when the vocabulary holds
 * BERT's special ids (101, 102), ids drawn from the ordinary tokens, the first sample full length,
 * the others between an eighth of `maxLength` and all of it (so most rows are padded), segment 1
 * on the second half when the model has token types.
 */
export function randomSamples(
  count: number,
  maxLength: number,
  vocabSize: number,
  typeVocabSize: number,
  seed: number,
): VerifySample[] {
  const r = seededRandom(seed);
  const special = vocabSize > 1000;
  const low = special ? 999 : 1;
  const samples: VerifySample[] = [];
  for (let i = 0; i < count; i++) {
    const min = Math.max(2, Math.floor(maxLength / 8));
    const length = i === 0 ? maxLength : min + Math.floor(r() * (maxLength - min + 1));
    const ids = new Int32Array(length);
    const typeIds = new Int32Array(length);
    const half = Math.floor(length / 2);
    for (let p = 0; p < length; p++) {
      ids[p] = low + Math.floor(r() * (vocabSize - low));
      typeIds[p] = typeVocabSize > 1 && p >= half ? 1 : 0;
    }
    if (special) {
      ids[0] = 101;
      ids[length - 1] = 102;
      if (half > 1 && half < length - 1) ids[half - 1] = 102;
    }
    samples.push({ ids, typeIds, length });
  }
  return samples;
}

/**
 * The first `count` MRPC dev pairs (bert-text's data directory) encoded with the vocabulary as
 * the server encodes them, truncated to `maxLength` (pairs cycle when count exceeds the set).
 */
export function mrpcSamples(
  count: number,
  maxLength: number,
  vocabPath: string,
  lowerCase: boolean,
  typeVocabSize: number,
): VerifySample[] {
  const tokenizer = BertTokenizer.fromVocabFile(vocabPath, { lowerCase });
  const pairs = readMrpc(dataPath('mrpc', 'dev.tsv'));
  const samples: VerifySample[] = [];
  for (let i = 0; i < count && pairs.length > 0; i++) {
    const pair = pairs[i % pairs.length]!;
    const f = tokenizer.encodePair(pair.textA, pair.textB, { maxLength });
    const typeIds = f.segmentIds.slice(0, f.length);
    if (typeVocabSize <= 1) typeIds.fill(0);
    samples.push({ ids: f.inputIds.slice(0, f.length), typeIds, length: f.length });
  }
  return samples;
}

/** MRPC dev pairs when a vocabulary is given and the data is there, else seeded random ids. */
export function verifySamples(options: {
  readonly count: number;
  readonly maxLength: number;
  readonly vocabSize: number;
  readonly typeVocabSize: number;
  readonly vocab: string | null;
  readonly lowerCase: boolean;
  readonly seed: number;
}): SampleSet {
  const { count, maxLength, vocabSize, typeVocabSize, seed } = options;
  if (options.vocab !== null && maxLength >= 3) {
    if (existsSync(dataPath('mrpc', 'dev.tsv')))
      return {
        source: 'mrpc-dev',
        samples: mrpcSamples(count, maxLength, options.vocab, options.lowerCase, typeVocabSize),
        note: null,
      };
    return {
      source: 'random',
      samples: randomSamples(count, maxLength, vocabSize, typeVocabSize, seed),
      note: `MRPC dev pairs not found at ${dataPath('mrpc', 'dev.tsv')}; verified on seeded random ids`,
    };
  }
  return {
    source: 'random',
    samples: randomSamples(count, maxLength, vocabSize, typeVocabSize, seed),
    note: null,
  };
}
