import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  type BertTextError,
  buildFeatures,
  DEFAULT_MAX_LENGTH,
  dataPath,
  type EncodedFeatures,
  readMrpc,
  truncatedPairLengths,
  truncateSeqPair,
} from '../src/index.js';
import { thrown, uncasedTokenizer } from './helpers.js';

const tok = uncasedTokenizer();
const id = (token: string): number => {
  const value = tok.idOf(token);
  if (value === undefined) throw new Error(`${token} is not in the vocabulary`);
  return value;
};
const ids = (words: string): number[] => words.split(' ').map(id);
const CLS = 101;
const SEP = 102;

function tokensOf(f: EncodedFeatures): string[] {
  return Array.from(f.inputIds.subarray(0, f.length), (i) => tok.tokenOf(i) ?? '?');
}

/** Checks the invariants every feature must satisfy and returns it. */
function checked(f: EncodedFeatures, maxLength: number): EncodedFeatures {
  expect(f.inputIds).toBeInstanceOf(Int32Array);
  expect(f.inputMask).toBeInstanceOf(Int32Array);
  expect(f.segmentIds).toBeInstanceOf(Int32Array);
  expect(f.inputIds.length).toBe(maxLength);
  expect(f.inputMask.length).toBe(maxLength);
  expect(f.segmentIds.length).toBe(maxLength);
  expect(f.length).toBeLessThanOrEqual(maxLength);
  for (let i = 0; i < maxLength; i++) {
    expect(f.inputMask[i]).toBe(i < f.length ? 1 : 0);
    if (i >= f.length) {
      expect(f.inputIds[i]).toBe(0);
      expect(f.segmentIds[i]).toBe(0);
    }
  }
  expect(f.inputIds[0]).toBe(CLS);
  expect(f.inputIds[f.length - 1]).toBe(SEP);
  return f;
}

describe('encodePair truncation (the reference _truncate_seq_pair)', () => {
  it('pops from a when a is longer', () => {
    const f = checked(
      tok.encodePair('one two three four five six seven', 'eight nine', { maxLength: 10 }),
      10,
    );
    expect(tokensOf(f)).toEqual('[CLS] one two three four five [SEP] eight nine [SEP]'.split(' '));
    expect(Array.from(f.segmentIds)).toEqual([0, 0, 0, 0, 0, 0, 0, 1, 1, 1]);
    expect(f.length).toBe(10);
  });

  it('pops from b when b is longer', () => {
    const f = checked(tok.encodePair('one two', 'three four five six seven eight', { maxLength: 9 }), 9);
    expect(tokensOf(f)).toEqual('[CLS] one two [SEP] three four five six [SEP]'.split(' '));
    expect(Array.from(f.segmentIds)).toEqual([0, 0, 0, 0, 1, 1, 1, 1, 1]);
  });

  it('pops from b on ties, then alternates', () => {
    // 4 + 4 > 5: pop b (4,3), pop a (3,3), pop b (3,2).
    const f = checked(tok.encodePair('one two three four', 'five six seven eight', { maxLength: 8 }), 8);
    expect(tokensOf(f)).toEqual('[CLS] one two three [SEP] five six [SEP]'.split(' '));
    expect(Array.from(f.segmentIds)).toEqual([0, 0, 0, 0, 0, 1, 1, 1]);
  });

  it('counts WordPiece tokens, not words', () => {
    // "unaffable" is three pieces; 3 + 1 > 3 pops the last piece of a.
    expect(tok.tokenize('unaffable')).toEqual(['una', '##ffa', '##ble']);
    const f = checked(tok.encodePair('unaffable', 'one', { maxLength: 6 }), 6);
    expect(tokensOf(f)).toEqual('[CLS] una ##ffa [SEP] one [SEP]'.split(' '));
  });

  it('pads with zeros and marks segments when nothing is truncated', () => {
    const f = checked(tok.encodePair('hello world', 'my dog', { maxLength: 10 }), 10);
    expect(Array.from(f.inputIds)).toEqual([CLS, ...ids('hello world'), SEP, ...ids('my dog'), SEP, 0, 0, 0]);
    expect(Array.from(f.inputMask)).toEqual([1, 1, 1, 1, 1, 1, 1, 0, 0, 0]);
    expect(Array.from(f.segmentIds)).toEqual([0, 0, 0, 0, 1, 1, 1, 0, 0, 0]);
    expect(f.length).toBe(7);
  });

  it('defaults to maxLength 128', () => {
    const f = checked(tok.encodePair('hello', 'world'), DEFAULT_MAX_LENGTH);
    expect(f.inputIds.length).toBe(128);
    expect(f.length).toBe(5);
  });

  it('falls back to the single form when b has no tokens (the reference tests `if tokens_b`)', () => {
    for (const b of ['', '   ', '\u200b']) {
      const f = checked(tok.encodePair('one two three four', b, { maxLength: 5 }), 5);
      expect(tokensOf(f)).toEqual('[CLS] one two three [SEP]'.split(' '));
      expect(Array.from(f.segmentIds)).toEqual([0, 0, 0, 0, 0]);
    }
  });

  it('gives b no [SEP] when truncation empties it (maxLength 3 and 4), as the reference', () => {
    const four = checked(tok.encodePair('one', 'two', { maxLength: 4 }), 4);
    expect(tokensOf(four)).toEqual(['[CLS]', 'one', '[SEP]']);
    expect(Array.from(four.inputMask)).toEqual([1, 1, 1, 0]);
    const three = checked(tok.encodePair('one two', 'three', { maxLength: 3 }), 3);
    expect(tokensOf(three)).toEqual(['[CLS]', '[SEP]']);
    expect(Array.from(three.segmentIds)).toEqual([0, 0, 0]);
  });

  it('rejects a maxLength that is not an integer >= 3', () => {
    for (const maxLength of [
      2,
      0,
      -5,
      3.5,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      '128' as unknown as number,
    ]) {
      const error = thrown(() => tok.encodePair('a', 'b', { maxLength }));
      expect((error as BertTextError).code).toBe('BTX_ERR_ARGUMENT');
      expect((error as BertTextError).message).toContain('maxLength');
    }
    expect(tok.encodePair('a', 'b', { maxLength: 3 }).inputIds.length).toBe(3);
  });

  it('rejects texts that are not strings', () => {
    const error = thrown(() => tok.encodePair('a', null as unknown as string));
    expect((error as BertTextError).code).toBe('BTX_ERR_ARGUMENT');
    expect((error as BertTextError).message).toContain('textB');
  });
});

describe('encodeSingle', () => {
  it('builds [CLS] a [SEP] and truncates a to maxLength - 2', () => {
    const f = checked(tok.encodeSingle('one two three four five six', { maxLength: 5 }), 5);
    expect(tokensOf(f)).toEqual('[CLS] one two three [SEP]'.split(' '));
    expect(Array.from(f.segmentIds)).toEqual([0, 0, 0, 0, 0]);
  });

  it('pads with zeros', () => {
    const f = checked(tok.encodeSingle('hello', { maxLength: 6 }), 6);
    expect(Array.from(f.inputIds)).toEqual([CLS, id('hello'), SEP, 0, 0, 0]);
    expect(Array.from(f.inputMask)).toEqual([1, 1, 1, 0, 0, 0]);
  });

  it('accepts maxLength 2 and rejects 1', () => {
    expect(tokensOf(tok.encodeSingle('hello', { maxLength: 2 }))).toEqual(['[CLS]', '[SEP]']);
    expect((thrown(() => tok.encodeSingle('hello', { maxLength: 1 })) as BertTextError).code).toBe(
      'BTX_ERR_ARGUMENT',
    );
  });
});

describe('truncation helpers', () => {
  it('truncatedPairLengths pops the longer side, ties from b', () => {
    expect(truncatedPairLengths(10, 2, 5)).toEqual({ lengthA: 3, lengthB: 2 });
    expect(truncatedPairLengths(2, 10, 5)).toEqual({ lengthA: 2, lengthB: 3 });
    expect(truncatedPairLengths(4, 4, 5)).toEqual({ lengthA: 3, lengthB: 2 });
    expect(truncatedPairLengths(4, 4, 4)).toEqual({ lengthA: 2, lengthB: 2 });
    expect(truncatedPairLengths(1, 1, 0)).toEqual({ lengthA: 0, lengthB: 0 });
    expect(truncatedPairLengths(3, 1, 10)).toEqual({ lengthA: 3, lengthB: 1 });
  });

  it('truncateSeqPair works in place on token arrays', () => {
    const a = ['a1', 'a2', 'a3', 'a4'];
    const b = ['b1', 'b2', 'b3', 'b4'];
    truncateSeqPair(a, b, 5);
    expect(a).toEqual(['a1', 'a2', 'a3']);
    expect(b).toEqual(['b1', 'b2']);
  });

  it('buildFeatures uses the given special ids', () => {
    const f = buildFeatures([7, 8], [9], 6, { cls: 1, sep: 2 });
    expect(Array.from(f.inputIds)).toEqual([1, 7, 8, 2, 9, 2]);
    expect(Array.from(f.segmentIds)).toEqual([0, 0, 0, 0, 1, 1]);
  });
});

describe('features equal the reference run_classifier.py output', () => {
  const fixture = JSON.parse(
    readFileSync(new URL('./fixtures/reference-tokenization.json', import.meta.url), 'utf8'),
  ) as {
    pairs: {
      row: number;
      maxLength: number;
      inputIds: number[];
      inputMask: number[];
      segmentIds: number[];
    }[];
  };
  const dev = readMrpc(dataPath('mrpc', 'dev.tsv'));

  it('on MRPC dev pairs at maxLength 128 and 24 (truncating)', () => {
    expect(fixture.pairs.length).toBe(12);
    for (const p of fixture.pairs) {
      const f = checked(
        tok.encodePair(dev[p.row].textA, dev[p.row].textB, { maxLength: p.maxLength }),
        p.maxLength,
      );
      expect(Array.from(f.inputIds)).toEqual(p.inputIds);
      expect(Array.from(f.inputMask)).toEqual(p.inputMask);
      expect(Array.from(f.segmentIds)).toEqual(p.segmentIds);
    }
    expect(
      fixture.pairs.filter((p) => p.maxLength === 24).every((p) => p.inputMask.every((m) => m === 1)),
    ).toBe(true);
  });

  it('keeps every MRPC dev pair within 128 with consistent masks and segments', () => {
    for (const ex of dev) {
      const f = checked(tok.encodePair(ex.textA, ex.textB), 128);
      const seps = Array.from(f.inputIds.subarray(0, f.length)).filter((x) => x === SEP).length;
      expect(seps).toBe(2);
      const firstSep = f.inputIds.indexOf(SEP);
      for (let i = 0; i < f.length; i++) expect(f.segmentIds[i]).toBe(i <= firstSep ? 0 : 1);
    }
  });
});
