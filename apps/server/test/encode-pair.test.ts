// encodePairBounded gives exactly bert-text's encodePair features (the reference's), for MRPC and
// for long texts, while tokenizing only a prefix of long texts.
import {
  BertTokenizer,
  CASED_VOCAB_FILE,
  dataPath,
  readMrpc,
  UNCASED_VOCAB_FILE,
} from '@bert-neuron/bert-text';
import { describe, expect, it } from 'vitest';
import { encodePairBounded } from '../src/index.js';

const uncased = BertTokenizer.fromVocabFile(dataPath(UNCASED_VOCAB_FILE));
const cased = BertTokenizer.fromVocabFile(dataPath(CASED_VOCAB_FILE), { lowerCase: false });
const tokenizer = uncased;
const pairs = readMrpc(dataPath('mrpc', 'dev.tsv'));

function expectSame(a: string, b: string, maxLength: number, t: BertTokenizer = uncased): void {
  const got = encodePairBounded(t, a, b, maxLength);
  const want = t.encodePair(a, b, { maxLength });
  expect(got.length).toBe(want.length);
  expect([...got.inputIds]).toEqual([...want.inputIds]);
  expect([...got.inputMask]).toEqual([...want.inputMask]);
  expect([...got.segmentIds]).toEqual([...want.segmentIds]);
}

describe('encodePairBounded', () => {
  it('equals encodePair on every MRPC dev pair at several max lengths', () => {
    for (const maxLength of [8, 16, 128]) for (const p of pairs) expectSame(p.textA, p.textB, maxLength);
  });

  it('equals encodePair on long texts, uncased and cased: words, one side long, both long, no spaces, spaces then a long tail', () => {
    const words = pairs.map((p) => p.textA).join(' ');
    const long = words.slice(0, 60_000);
    const cases: [string, string][] = [
      [long, 'short'],
      ['short', long],
      [long, long.slice(1000)],
      ['x'.repeat(5000), long],
      [`${'a '.repeat(600)}${'b'.repeat(3000)}`, 'c'],
      [`${'\u200b '.repeat(3000)}${words.slice(0, 3000)}`, words.slice(5000, 9000)],
      [`${'中'.repeat(3000)} tail`, '   leading spaces '.repeat(200)],
      [`Héllo, naïve café! ${'Ünïcödé wörds, '.repeat(400)}`, `${'!?'.repeat(1500)} end`],
      ['.\u0301'.repeat(3000), 'a\u0301,b\u0327'.repeat(1000)],
      ['中文字'.repeat(2000), '日本語のテキスト。'.repeat(800)],
      ['x'.repeat(1100) + '.'.repeat(3000), 'ab.cd-ef'.repeat(600)],
    ];
    for (const t of [uncased, cased])
      for (const [a, b] of cases) for (const maxLength of [16, 128]) expectSame(a, b, maxLength, t);
  });

  it('tokenizes a 64 KiB text of words in well under a millisecond per pair', () => {
    const text = 'the cat sat on the mat and looked at the dog '.repeat(1500).slice(0, 65_536);
    encodePairBounded(tokenizer, text, text, 128);
    const t0 = performance.now();
    for (let i = 0; i < 50; i++) encodePairBounded(tokenizer, text, text, 128);
    const bounded = (performance.now() - t0) / 50;
    const t1 = performance.now();
    for (let i = 0; i < 5; i++) tokenizer.encodePair(text, text, { maxLength: 128 });
    const full = (performance.now() - t1) / 5;
    expect(bounded).toBeLessThan(full / 4);
  });
});
