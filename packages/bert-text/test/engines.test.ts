import { describe, expect, it } from 'vitest';
import { BertTokenizer, dataPath, readMrpc } from '../src/index.js';
import { casedTokenizer, uncasedTokenizer } from './helpers.js';

// The builtin engine (default) and the @huggingface/tokenizers engine must give the same ids.
describe('builtin and huggingface engines agree', () => {
  const sentences = ['dev.tsv', 'train.tsv'].flatMap((file) =>
    readMrpc(dataPath('mrpc', file)).flatMap((e) => [e.textA, e.textB]),
  );

  for (const [name, base] of [
    ['uncased', uncasedTokenizer],
    ['cased', casedTokenizer],
  ] as const) {
    it(`on every MRPC dev and train sentence (${name})`, () => {
      const builtin = base();
      const hf = new BertTokenizer(builtin.vocab, { lowerCase: builtin.lowerCase, engine: 'huggingface' });
      expect(hf.engine).toBe('huggingface');
      expect(sentences).toHaveLength(2 * (408 + 3668));
      let unknown = 0;
      for (const s of sentences) {
        const ids = builtin.encode(s);
        expect(hf.encode(s), s).toEqual(ids);
        unknown += ids.filter((id) => id === builtin.unkId).length;
      }
      // Every MRPC word splits into vocabulary pieces with either vocabulary.
      expect(unknown).toBe(0);
    });
  }

  it('on pair features of MRPC dev', () => {
    const builtin = uncasedTokenizer();
    const hf = new BertTokenizer(builtin.vocab, { engine: 'huggingface' });
    for (const e of readMrpc(dataPath('mrpc', 'dev.tsv'))) {
      expect(hf.encodePair(e.textA, e.textB, { maxLength: 64 })).toEqual(
        builtin.encodePair(e.textA, e.textB, { maxLength: 64 }),
      );
    }
  });
});
