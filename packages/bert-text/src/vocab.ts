import { readFileSync } from 'node:fs';
import { BertTextError } from './errors.js';
import type { BertTextLogger } from './logger.js';

/** A WordPiece vocabulary: one token per line of vocab.txt, ids 0-based by line. */
export interface Vocab {
  /** `tokens[id]` is the token on line `id` (0-based). Its length is the embedding table size. */
  readonly tokens: readonly string[];
  /** Token to id. When a token occurs on several lines the last line wins, as in the reference. */
  readonly ids: ReadonlyMap<string, number>;
  /** Where the vocabulary came from (a file path or a caller-given name), for messages. */
  readonly source: string;
}

/** Special tokens every BERT vocabulary must contain. */
export const REQUIRED_SPECIAL_TOKENS: readonly string[] = ['[PAD]', '[UNK]', '[CLS]', '[SEP]'];

export interface VocabOptions {
  /** Name used in error messages; defaults to `<memory>`. */
  source?: string;
  /** Receives a warning per duplicated token. */
  logger?: BertTextLogger;
}

/**
 * Whitespace as Python's `str.strip()` sees it. Google's `load_vocab` strips every line with it, so
 * a line `" foo\t"` is the token `foo`.
 */
function isPythonSpace(code: number): boolean {
  return (
    (code >= 0x09 && code <= 0x0d) ||
    (code >= 0x1c && code <= 0x20) ||
    code === 0x85 ||
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000
  );
}

function pythonStrip(line: string): string {
  let start = 0;
  let end = line.length;
  while (start < end && isPythonSpace(line.charCodeAt(start))) start++;
  while (end > start && isPythonSpace(line.charCodeAt(end - 1))) end--;
  return start === 0 && end === line.length ? line : line.slice(start, end);
}

/**
 * Parses the text of a vocab.txt. Lines are split on `\n`; each line is stripped of surrounding
 * whitespace (so `\r\n` files work); the final empty string after a trailing newline is not a
 * token. A leading UTF-8 BOM is removed (the reference would keep it glued to `[PAD]`).
 */
export function parseVocab(text: string, options: VocabOptions = {}): Vocab {
  const source = options.source ?? '<memory>';
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const lines = body.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  if (lines.length === 0) {
    throw new BertTextError(
      'BTX_ERR_VOCAB',
      `vocabulary ${source} is empty: expected one WordPiece token per line (a BERT vocab.txt)`,
    );
  }
  const tokens: string[] = new Array(lines.length);
  const ids = new Map<string, number>();
  for (let i = 0; i < lines.length; i++) {
    const token = pythonStrip(lines[i]);
    tokens[i] = token;
    if (ids.has(token)) {
      options.logger?.warn(
        `vocabulary ${source}: token ${JSON.stringify(token)} on line ${i + 1} repeats line ${ids.get(token)! + 1}; the later id wins`,
      );
    }
    ids.set(token, i);
  }
  const missing = REQUIRED_SPECIAL_TOKENS.filter((t) => !ids.has(t));
  if (missing.length > 0) {
    throw new BertTextError(
      'BTX_ERR_VOCAB',
      `vocabulary ${source} lacks the special token(s) ${missing.join(', ')}: pass a BERT vocab.txt ` +
        `(it must contain [PAD], [UNK], [CLS] and [SEP], one token per line)`,
    );
  }
  return { tokens, ids, source };
}

/** Reads and parses a vocab.txt file. Throws BertTextError `BTX_ERR_VOCAB` when it cannot. */
export function loadVocab(path: string, options: Omit<VocabOptions, 'source'> = {}): Vocab {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    const reason = (cause as NodeJS.ErrnoException).code ?? String(cause);
    throw new BertTextError(
      'BTX_ERR_VOCAB',
      `cannot read vocabulary file ${path} (${reason}): check the path, or set BERT_NEURON_DATA to the ` +
        `directory holding bert-uncased-vocab.txt`,
      { cause },
    );
  }
  return parseVocab(text, { ...options, source: path });
}
