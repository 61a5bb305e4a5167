import { createBuiltinEngine } from './builtin-engine.js';
import { BertTextError } from './errors.js';
import { buildFeatures, type EncodedFeatures, type FeatureOptions, resolveMaxLength } from './features.js';
import { createHuggingFaceEngine } from './huggingface-engine.js';
import type { BertTextLogger } from './logger.js';
import {
  TOKENIZER_ENGINE_NAMES,
  type TokenizerEngine,
  type TokenizerEngineConfig,
  type TokenizerEngineName,
} from './tokenizer-engine.js';
import { loadVocab, type Vocab } from './vocab.js';

export interface BertTokenizerOptions {
  /** Lower-case and strip accents (uncased models). Default true. Use false for cased vocabularies. */
  lowerCase?: boolean;
  /** `builtin` (default, faster) or `huggingface` (on @huggingface/tokenizers). Same output. */
  engine?: TokenizerEngineName;
  /** Words longer than this many code points become `[UNK]`. Default 200, as the reference. */
  maxInputCharsPerWord?: number;
  /** Receives warnings (duplicate vocabulary lines). */
  logger?: BertTextLogger;
}

function requireString(value: unknown, name: string): string {
  if (typeof value !== 'string') {
    throw new BertTextError('BTX_ERR_ARGUMENT', `${name} must be a string, got ${typeof value}`);
  }
  return value;
}

/**
 * A BERT WordPiece tokenizer following Google's `tokenization.py` (`FullTokenizer`) and the pair
 * features of `run_classifier.py`. Immutable after construction apart from an internal word memo.
 */
export class BertTokenizer {
  readonly vocab: Vocab;
  readonly lowerCase: boolean;
  readonly engine: TokenizerEngineName;
  readonly clsId: number;
  readonly sepId: number;
  readonly padId: number;
  readonly unkId: number;
  private readonly impl: TokenizerEngine;

  constructor(vocab: Vocab, options: BertTokenizerOptions = {}) {
    const engine = options.engine ?? 'builtin';
    if (!TOKENIZER_ENGINE_NAMES.includes(engine)) {
      throw new BertTextError(
        'BTX_ERR_ARGUMENT',
        `unknown tokenizer engine ${JSON.stringify(engine)}: use one of ${TOKENIZER_ENGINE_NAMES.join(', ')}`,
      );
    }
    const maxInputCharsPerWord = options.maxInputCharsPerWord ?? 200;
    if (!Number.isInteger(maxInputCharsPerWord) || maxInputCharsPerWord < 1) {
      throw new BertTextError(
        'BTX_ERR_ARGUMENT',
        `maxInputCharsPerWord must be a positive integer, got ${String(maxInputCharsPerWord)}`,
      );
    }
    const special = (token: string): number => {
      const id = vocab.ids.get(token);
      if (id === undefined) {
        throw new BertTextError(
          'BTX_ERR_VOCAB',
          `vocabulary ${vocab.source} lacks ${token}: use a BERT vocab.txt (load it with loadVocab)`,
        );
      }
      return id;
    };
    this.vocab = vocab;
    this.lowerCase = options.lowerCase ?? true;
    this.engine = engine;
    this.clsId = special('[CLS]');
    this.sepId = special('[SEP]');
    this.padId = special('[PAD]');
    this.unkId = special('[UNK]');
    const config: TokenizerEngineConfig = {
      lowerCase: this.lowerCase,
      unkToken: '[UNK]',
      maxInputCharsPerWord,
    };
    this.impl =
      engine === 'huggingface' ? createHuggingFaceEngine(vocab, config) : createBuiltinEngine(vocab, config);
  }

  /** Loads vocab.txt (one token per line, ids by line) and builds a tokenizer. */
  static fromVocabFile(path: string, options: BertTokenizerOptions = {}): BertTokenizer {
    return new BertTokenizer(loadVocab(path, { logger: options.logger }), options);
  }

  /** Number of ids (lines of vocab.txt), i.e. the rows of the word embedding table. */
  get vocabSize(): number {
    return this.vocab.tokens.length;
  }

  /** Id of a vocabulary token, or undefined when the token is not in the vocabulary. */
  idOf(token: string): number | undefined {
    return this.vocab.ids.get(token);
  }

  /** Token of an id, or undefined when the id is out of range. */
  tokenOf(id: number): string | undefined {
    return Number.isInteger(id) && id >= 0 && id < this.vocab.tokens.length
      ? this.vocab.tokens[id]
      : undefined;
  }

  /** WordPiece tokens of `text`, without special tokens (the reference `FullTokenizer.tokenize`). */
  tokenize(text: string): string[] {
    const tokens = this.vocab.tokens;
    return this.encode(text).map((id) => tokens[id]);
  }

  /** WordPiece ids of `text`, without special tokens. */
  encode(text: string): number[] {
    return this.impl.encode(requireString(text, 'text'));
  }

  /**
   * Features of a sentence pair: `[CLS] a [SEP] b [SEP]`, pair truncation to `maxLength - 3` (pops
   * from the longer side, ties from b), segment ids 0 then 1, mask, zero padding. When `b` yields no
   * tokens the reference falls back to the single-sentence form, and so does this.
   */
  encodePair(textA: string, textB: string, options: FeatureOptions = {}): EncodedFeatures {
    const maxLength = resolveMaxLength(options.maxLength, 3, 'a sentence pair');
    const idsA = this.encode(requireString(textA, 'textA'));
    const idsB = this.encode(requireString(textB, 'textB'));
    return buildFeatures(idsA, idsB, maxLength, { cls: this.clsId, sep: this.sepId });
  }

  /** Features of one sentence: `[CLS] a [SEP]`, `a` cut to `maxLength - 2`, zero padding. */
  encodeSingle(text: string, options: FeatureOptions = {}): EncodedFeatures {
    const maxLength = resolveMaxLength(options.maxLength, 2, 'a single sentence');
    const idsA = this.encode(requireString(text, 'text'));
    return buildFeatures(idsA, null, maxLength, { cls: this.clsId, sep: this.sepId });
  }
}
