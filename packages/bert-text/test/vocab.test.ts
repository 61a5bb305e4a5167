import { describe, expect, it } from 'vitest';
import {
  BertTextError,
  CASED_VOCAB_FILE,
  dataPath,
  loadVocab,
  parseVocab,
  REQUIRED_SPECIAL_TOKENS,
  UNCASED_VOCAB_FILE,
} from '../src/index.js';
import { tempDir, thrown } from './helpers.js';

const SPECIALS = '[PAD]\n[UNK]\n[CLS]\n[SEP]\n';

describe('loadVocab', () => {
  it('reads the uncased BERT vocabulary with 0-based ids by line', () => {
    const vocab = loadVocab(dataPath(UNCASED_VOCAB_FILE));
    expect(vocab.tokens.length).toBe(30522);
    expect(vocab.ids.size).toBe(30522);
    expect(vocab.ids.get('[PAD]')).toBe(0);
    expect(vocab.ids.get('[unused0]')).toBe(1);
    expect(vocab.ids.get('[UNK]')).toBe(100);
    expect(vocab.ids.get('[CLS]')).toBe(101);
    expect(vocab.ids.get('[SEP]')).toBe(102);
    expect(vocab.ids.get('[MASK]')).toBe(103);
    expect(vocab.tokens[7592]).toBe('hello');
    expect(vocab.source).toBe(dataPath(UNCASED_VOCAB_FILE));
  });

  it('reads the cased BERT vocabulary', () => {
    const vocab = loadVocab(dataPath(CASED_VOCAB_FILE));
    expect(vocab.tokens.length).toBe(28996);
    expect(vocab.ids.get('[unused1]')).toBe(1);
    expect(vocab.ids.get('[CLS]')).toBe(101);
    expect(vocab.ids.get('[unused100]')).toBe(104);
  });

  it('fails with BTX_ERR_VOCAB and the cause for a missing file', () => {
    const error = thrown(() => loadVocab('/nonexistent/dir/vocab.txt'));
    expect(error).toBeInstanceOf(BertTextError);
    expect((error as BertTextError).code).toBe('BTX_ERR_VOCAB');
    expect((error as BertTextError).message).toContain('/nonexistent/dir/vocab.txt');
    expect((error as BertTextError).message).toContain('ENOENT');
    expect(((error as BertTextError).cause as NodeJS.ErrnoException).code).toBe('ENOENT');
  });

  it('fails with BTX_ERR_VOCAB for an empty file', () => {
    const tmp = tempDir();
    try {
      const error = thrown(() => loadVocab(tmp.write('empty.txt', '')));
      expect((error as BertTextError).code).toBe('BTX_ERR_VOCAB');
      expect((error as BertTextError).message).toMatch(/is empty/);
    } finally {
      tmp.remove();
    }
  });
});

describe('parseVocab', () => {
  it('names every missing special token', () => {
    const error = thrown(() => parseVocab('[PAD]\nhello\n[SEP]\n', { source: 'small.txt' }));
    expect((error as BertTextError).code).toBe('BTX_ERR_VOCAB');
    expect((error as BertTextError).message).toContain('small.txt');
    expect((error as BertTextError).message).toContain('lacks the special token(s) [UNK], [CLS]:');
    expect(REQUIRED_SPECIAL_TOKENS).toEqual(['[PAD]', '[UNK]', '[CLS]', '[SEP]']);
  });

  it('handles CRLF, a BOM, surrounding whitespace and a missing final newline', () => {
    const vocab = parseVocab(`\uFEFF${SPECIALS.replaceAll('\n', '\r\n')}  hello \r\nworld`);
    expect(vocab.tokens).toEqual(['[PAD]', '[UNK]', '[CLS]', '[SEP]', 'hello', 'world']);
    expect(vocab.ids.get('hello')).toBe(4);
    expect(vocab.ids.get('world')).toBe(5);
  });

  it('keeps ids by line for duplicates (the later line wins) and warns', () => {
    const warnings: string[] = [];
    const vocab = parseVocab(`${SPECIALS}a\nb\na\n`, { logger: { warn: (m) => warnings.push(m) } });
    expect(vocab.tokens.length).toBe(7);
    expect(vocab.ids.get('a')).toBe(6);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('line 7');
  });

  it('counts an empty line as a token, like the reference', () => {
    const vocab = parseVocab(`${SPECIALS}\nx\n`);
    expect(vocab.tokens).toEqual(['[PAD]', '[UNK]', '[CLS]', '[SEP]', '', 'x']);
    expect(vocab.ids.get('x')).toBe(5);
  });
});
