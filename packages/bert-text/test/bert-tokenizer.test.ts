import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type BertTextError, BertTokenizer, basicTokenize, parseVocab } from '../src/index.js';
import { casedTokenizer, thrown, uncasedTokenizer } from './helpers.js';

interface ReferenceCase {
  text: string;
  uncased: string[];
  cased: string[];
}

const reference = JSON.parse(
  readFileSync(new URL('./fixtures/reference-tokenization.json', import.meta.url), 'utf8'),
) as {
  cases: ReferenceCase[];
};

/** The vocabulary of the reference's own tokenization_test.py (plus [PAD]). */
const TEST_VOCAB = parseVocab(
  ['[PAD]', '[UNK]', '[CLS]', '[SEP]', 'want', '##want', '##ed', 'wa', 'un', 'runn', '##ing', ','].join('\n'),
  { source: 'test-vocab' },
);

describe('BertTokenizer with the uncased BERT vocabulary', () => {
  const tok = uncasedTokenizer();

  it('encodes "hello, my dog is cute" to the published ids', () => {
    expect(tok.encode('hello, my dog is cute')).toEqual([7592, 1010, 2026, 3899, 2003, 10140]);
    expect(Array.from(tok.encodeSingle('hello, my dog is cute', { maxLength: 8 }).inputIds)).toEqual([
      101, 7592, 1010, 2026, 3899, 2003, 10140, 102,
    ]);
  });

  it('exposes the vocabulary', () => {
    expect(tok.vocabSize).toBe(30522);
    expect(tok.idOf('[CLS]')).toBe(101);
    expect(tok.idOf('hello')).toBe(7592);
    expect(tok.idOf('no-such-token')).toBeUndefined();
    expect(tok.tokenOf(102)).toBe('[SEP]');
    expect(tok.tokenOf(30522)).toBeUndefined();
    expect(tok.tokenOf(-1)).toBeUndefined();
    expect([tok.clsId, tok.sepId, tok.padId, tok.unkId]).toEqual([101, 102, 0, 100]);
    expect(tok.lowerCase).toBe(true);
    expect(tok.engine).toBe('builtin');
  });

  it('lower-cases and strips accents', () => {
    expect(tok.tokenize('Héllo')).toEqual(['hello']);
    expect(tok.tokenize('naïve CAFÉ')).toEqual(['naive', 'cafe']);
  });

  it('puts every CJK ideograph in a token of its own, also outside the BMP', () => {
    expect(tok.tokenize('中国人')).toEqual(['中', '国', '人']);
    expect(tok.tokenize('ah中国hello')).toEqual(['ah', '中', '国', 'hello']);
    // U+20000 is not in the vocabulary: it becomes [UNK] on its own instead of swallowing "a" and "b".
    expect(tok.tokenize('a\u{20000}b')).toEqual(['a', '[UNK]', 'b']);
  });

  it('removes control and format characters without splitting the word', () => {
    expect(tok.tokenize('hel\u0000lo wor\u200bld\u00ad bye\u0007\ufffd')).toEqual(['hello', 'world', 'bye']);
    expect(tok.tokenize('tab\tnew\nline\r\nnbsp\u00a0ideographic\u3000end')).toEqual(
      tok.tokenize('tab new line nbsp ideographic end'),
    );
  });

  it('turns a word over 200 characters into [UNK], and keeps one of exactly 200', () => {
    expect(tok.tokenize(`a ${'x'.repeat(201)} b`)).toEqual(['a', '[UNK]', 'b']);
    const pieces = tok.tokenize('x'.repeat(200));
    expect(pieces).not.toContain('[UNK]');
    expect(pieces.join('').replaceAll('##', '')).toBe('x'.repeat(200));
  });

  it('splits on punctuation, including ASCII symbols that are not Unicode punctuation', () => {
    expect(tok.tokenize('hello,world!')).toEqual(['hello', ',', 'world', '!']);
    expect(tok.tokenize('a$b^c`d')).toEqual(['a', '$', 'b', '^', 'c', '`', 'd']);
    expect(tok.tokenize('¿Qué?')).toEqual(['¿', 'que', '?']);
    expect(tok.tokenize("doesn't")).toEqual(['doesn', "'", 't']);
  });

  it('does not treat special tokens typed in the text as special (as the reference)', () => {
    expect(tok.tokenize('[CLS] hi')).toEqual(['[', 'cl', '##s', ']', 'hi']);
  });

  it('returns nothing for empty or blank text', () => {
    expect(tok.encode('')).toEqual([]);
    expect(tok.encode(' \t\n\u200b ')).toEqual([]);
  });

  it('rejects text that is not a string', () => {
    const error = thrown(() => tok.encode(42 as unknown as string));
    expect((error as BertTextError).code).toBe('BTX_ERR_ARGUMENT');
  });
});

describe('BertTokenizer with the cased BERT vocabulary', () => {
  const tok = casedTokenizer();

  it('tokenizes MRPC train[0] sentence 1 as HF bert-base-cased does', () => {
    const text =
      'Amrozi accused his brother , whom he called " the witness " , of deliberately distorting his evidence .';
    const features = tok.encodeSingle(text);
    const tokens = Array.from(features.inputIds.subarray(0, features.length), (id) => tok.tokenOf(id));
    expect(tokens.join(' ')).toBe(
      '[CLS] Am ##ro ##zi accused his brother , whom he called " the witness " , of deliberately di ##sto ##rting his evidence . [SEP]',
    );
  });

  it('keeps case and accents', () => {
    expect(tok.lowerCase).toBe(false);
    expect(tok.tokenize('Héllo')).toEqual(['H', '##é', '##llo']);
    expect(tok.tokenize('Hello')).toEqual(['Hello']);
  });
});

describe('reference fixture (Google tokenization.py run under Python)', () => {
  for (const engine of ['builtin', 'huggingface'] as const) {
    it(`the ${engine} engine matches every case, uncased and cased`, () => {
      const uncased = new BertTokenizer(uncasedTokenizer().vocab, { engine });
      const cased = new BertTokenizer(casedTokenizer().vocab, { engine, lowerCase: false });
      expect(reference.cases.length).toBeGreaterThan(30);
      for (const c of reference.cases) {
        expect(uncased.tokenize(c.text), JSON.stringify(c.text)).toEqual(c.uncased);
        expect(cased.tokenize(c.text), JSON.stringify(c.text)).toEqual(c.cased);
      }
    });
  }
});

describe('WordPiece', () => {
  it('matches the examples of the reference tokenization_test.py', () => {
    for (const engine of ['builtin', 'huggingface'] as const) {
      const tok = new BertTokenizer(TEST_VOCAB, { engine });
      expect(tok.tokenize('')).toEqual([]);
      expect(tok.tokenize('unwanted running')).toEqual(['un', '##want', '##ed', 'runn', '##ing']);
      expect(tok.tokenize('unwantedX running')).toEqual(['[UNK]', 'runn', '##ing']);
      expect(tok.encode('unwanted running')).toEqual([8, 5, 6, 9, 10]);
    }
  });

  it('counts code points, not UTF-16 units, for the 200-character limit', () => {
    const vocab = parseVocab(['[PAD]', '[UNK]', '[CLS]', '[SEP]', '\u{1D49C}', '##\u{1D49C}'].join('\n'));
    for (const engine of ['builtin', 'huggingface'] as const) {
      const tok = new BertTokenizer(vocab, { engine });
      // 150 code points = 300 UTF-16 units: under the limit.
      expect(tok.encode('\u{1D49C}'.repeat(150))).toEqual([4, ...new Array(149).fill(5)]);
      expect(tok.encode('\u{1D49C}'.repeat(201))).toEqual([1]);
    }
  });

  it('honours maxInputCharsPerWord', () => {
    const tok = new BertTokenizer(TEST_VOCAB, { maxInputCharsPerWord: 5 });
    expect(tok.tokenize('runn running')).toEqual(['runn', '[UNK]']);
  });
});

describe('basicTokenize (the reference BasicTokenizer tests)', () => {
  it('lower-cases', () => {
    expect(basicTokenize(' \tHeLLo!how  \n Are yoU?  ', true)).toEqual([
      'hello',
      '!',
      'how',
      'are',
      'you',
      '?',
    ]);
    expect(basicTokenize('H\u00E9llo', true)).toEqual(['hello']);
  });

  it('keeps case', () => {
    expect(basicTokenize(' \tHeLLo!how  \n Are yoU?  ', false)).toEqual([
      'HeLLo',
      '!',
      'how',
      'Are',
      'yoU',
      '?',
    ]);
  });

  it('splits Chinese characters', () => {
    expect(basicTokenize('ah\u535A\u63A8zz', true)).toEqual(['ah', '\u535A', '\u63A8', 'zz']);
  });
});

describe('BertTokenizer construction', () => {
  it('rejects an unknown engine and a bad maxInputCharsPerWord', () => {
    const engine = thrown(() => new BertTokenizer(TEST_VOCAB, { engine: 'fast' as 'builtin' }));
    expect((engine as BertTextError).code).toBe('BTX_ERR_ARGUMENT');
    expect((engine as BertTextError).message).toContain('builtin, huggingface');
    const chars = thrown(() => new BertTokenizer(TEST_VOCAB, { maxInputCharsPerWord: 0 }));
    expect((chars as BertTextError).code).toBe('BTX_ERR_ARGUMENT');
  });

  it('fails with BTX_ERR_VOCAB for a missing vocabulary file', () => {
    const error = thrown(() => BertTokenizer.fromVocabFile('/nonexistent/vocab.txt'));
    expect((error as BertTextError).code).toBe('BTX_ERR_VOCAB');
  });
});
