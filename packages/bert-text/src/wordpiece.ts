import { BertTextError } from './errors.js';
import type { Vocab } from './vocab.js';

export interface WordPieceOptions {
  /** Token for words that cannot be split into vocabulary pieces. Default `[UNK]`. */
  unkToken?: string;
  /** Prefix of continuation pieces. Default `##`. */
  continuationPrefix?: string;
  /** Words longer than this many code points become the unknown token. Default 200 (the reference). */
  maxInputCharsPerWord?: number;
  /** Words whose ids are memoized; the memo is cleared when full. Default 65,536; 0 disables it. */
  cacheSize?: number;
}

function isHigh(unit: number): boolean {
  return unit >= 0xd800 && unit <= 0xdbff;
}

function isLow(unit: number): boolean {
  return unit >= 0xdc00 && unit <= 0xdfff;
}

function codePointLength(word: string): number {
  let count = 0;
  for (let i = 0; i < word.length; i++) {
    if (!(isLow(word.charCodeAt(i)) && i > 0 && isHigh(word.charCodeAt(i - 1)))) count++;
  }
  return count;
}

/**
 * Google BERT's `WordpieceTokenizer`: greedy longest-match-first over code points, with a `Map`
 * vocabulary. A word longer than `maxInputCharsPerWord` code points, or one with any part not in the
 * vocabulary, becomes the single unknown token.
 */
export class WordPiece {
  readonly unkId: number;
  private readonly ids: ReadonlyMap<string, number>;
  private readonly prefix: string;
  private readonly maxChars: number;
  private readonly maxUnits: number;
  private readonly cacheSize: number;
  private readonly cache = new Map<string, readonly number[]>();

  constructor(vocab: Vocab, options: WordPieceOptions = {}) {
    const unkToken = options.unkToken ?? '[UNK]';
    const unkId = vocab.ids.get(unkToken);
    if (unkId === undefined) {
      throw new BertTextError(
        'BTX_ERR_VOCAB',
        `vocabulary ${vocab.source} lacks the unknown token ${unkToken}: use a BERT vocab.txt or pass unkToken`,
      );
    }
    this.unkId = unkId;
    this.ids = vocab.ids;
    this.prefix = options.continuationPrefix ?? '##';
    this.maxChars = options.maxInputCharsPerWord ?? 200;
    this.cacheSize = options.cacheSize ?? 65_536;
    let maxUnits = 0;
    for (const token of vocab.ids.keys()) if (token.length > maxUnits) maxUnits = token.length;
    this.maxUnits = maxUnits;
  }

  /** Appends the ids of `word` (one basic token, no whitespace) to `out`. */
  encodeWord(word: string, out: number[]): void {
    const cached = this.cache.get(word);
    if (cached !== undefined) {
      for (let i = 0; i < cached.length; i++) out.push(cached[i]);
      return;
    }
    const ids = this.split(word);
    if (this.cacheSize > 0) {
      if (this.cache.size >= this.cacheSize) this.cache.clear();
      this.cache.set(word, ids);
    }
    for (let i = 0; i < ids.length; i++) out.push(ids[i]);
  }

  private split(word: string): number[] {
    const n = word.length;
    if (n > this.maxChars && codePointLength(word) > this.maxChars) return [this.unkId];
    const whole = this.ids.get(word);
    if (whole !== undefined) return [whole];
    const pieces: number[] = [];
    let start = 0;
    while (start < n) {
      const limit = start === 0 ? this.maxUnits : this.maxUnits - this.prefix.length;
      let end = Math.min(n, start + limit);
      // Never cut a surrogate pair: the reference works on code points.
      if (end < n && isLow(word.charCodeAt(end)) && isHigh(word.charCodeAt(end - 1))) end--;
      let found = -1;
      while (start < end) {
        const sub = start === 0 ? word.slice(0, end) : this.prefix + word.slice(start, end);
        const id = this.ids.get(sub);
        if (id !== undefined) {
          found = id;
          break;
        }
        end -=
          end - 2 >= start && isLow(word.charCodeAt(end - 1)) && isHigh(word.charCodeAt(end - 2)) ? 2 : 1;
      }
      if (found < 0) return [this.unkId];
      pieces.push(found);
      start = end;
    }
    return pieces;
  }
}
