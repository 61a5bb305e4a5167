import { forEachBasicToken } from './basic-tokenizer.js';
import type { TokenizerEngine, TokenizerEngineConfig } from './tokenizer-engine.js';
import type { Vocab } from './vocab.js';
import { WordPiece } from './wordpiece.js';

/** The default engine: this package's port of the reference basic tokenizer and WordPiece. */
export function createBuiltinEngine(vocab: Vocab, config: TokenizerEngineConfig): TokenizerEngine {
  const wordPiece = new WordPiece(vocab, {
    unkToken: config.unkToken,
    maxInputCharsPerWord: config.maxInputCharsPerWord,
  });
  const lowerCase = config.lowerCase;
  return {
    name: 'builtin',
    encode(text: string): number[] {
      const out: number[] = [];
      forEachBasicToken(text, lowerCase, (token) => wordPiece.encodeWord(token, out));
      return out;
    },
  };
}
