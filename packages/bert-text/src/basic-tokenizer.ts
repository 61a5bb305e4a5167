import { CHAR_CJK, CHAR_OTHER, CHAR_REMOVE, CHAR_SPACE, charClass, isPunctuation } from './char-classes.js';

/**
 * Google BERT's `BasicTokenizer.tokenize`, on code points:
 * 1. `_clean_text`: drop U+0000, U+FFFD and control characters; whitespace becomes a space;
 * 2. `_tokenize_chinese_chars`: every CJK ideograph becomes its own word;
 * 3. `whitespace_tokenize`;
 * 4. per word, when lower-casing: `lower()`, then NFD and drop category Mn (strip accents);
 * 5. `_run_split_on_punc`: every punctuation character becomes its own token.
 * Calls `emit` for each resulting token, in order. Tokens are never empty.
 */
export function forEachBasicToken(text: string, lowerCase: boolean, emit: (token: string) => void): void {
  const n = text.length;
  let word = '';
  let segmentStart = -1;
  let nonAscii = false;
  let i = 0;
  while (i < n) {
    let cp = text.charCodeAt(i);
    let width = 1;
    if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < n) {
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        cp = ((cp - 0xd800) << 10) + (low - 0xdc00) + 0x10000;
        width = 2;
      }
    }
    const cls = charClass(cp);
    if (cls === CHAR_OTHER) {
      if (segmentStart < 0) segmentStart = i;
      if (cp >= 0x80) nonAscii = true;
    } else {
      if (segmentStart >= 0) {
        word = word === '' ? text.slice(segmentStart, i) : word + text.slice(segmentStart, i);
        segmentStart = -1;
      }
      if (cls !== CHAR_REMOVE) {
        // CHAR_SPACE ends the word; CHAR_CJK ends it and is a word of its own.
        if (word !== '') {
          emitWord(word, nonAscii, lowerCase, emit);
          word = '';
          nonAscii = false;
        }
        if (cls === CHAR_CJK) emitWord(text.slice(i, i + width), true, lowerCase, emit);
      }
    }
    i += width;
  }
  if (segmentStart >= 0) word = word === '' ? text.slice(segmentStart) : word + text.slice(segmentStart);
  if (word !== '') emitWord(word, nonAscii, lowerCase, emit);
}

/** `forEachBasicToken`, collected into an array. */
export function basicTokenize(text: string, lowerCase: boolean): string[] {
  const out: string[] = [];
  forEachBasicToken(text, lowerCase, (token) => out.push(token));
  return out;
}

const RE_MN = /\p{Mn}/gu;

/** The reference `_run_strip_accents`: NFD, then drop every character of category Mn. */
export function stripAccents(text: string): string {
  return text.normalize('NFD').replace(RE_MN, '');
}

function emitWord(word: string, nonAscii: boolean, lowerCase: boolean, emit: (token: string) => void): void {
  if (lowerCase) word = nonAscii ? stripAccents(word.toLowerCase()) : word.toLowerCase();
  // _run_split_on_punc
  const n = word.length;
  let start = 0;
  let i = 0;
  while (i < n) {
    let cp = word.charCodeAt(i);
    let width = 1;
    if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < n) {
      const low = word.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        cp = ((cp - 0xd800) << 10) + (low - 0xdc00) + 0x10000;
        width = 2;
      }
    }
    if (isPunctuation(cp)) {
      if (i > start) emit(word.slice(start, i));
      emit(word.slice(i, i + width));
      start = i + width;
    }
    i += width;
  }
  if (start < n) emit(start === 0 ? word : word.slice(start));
}

/**
 * Steps 1 and 2 only (`_clean_text` and `_tokenize_chinese_chars`), as a string: control characters
 * removed, whitespace turned into spaces, spaces put around CJK ideographs. Used to feed the
 * Hugging Face engine text whose cleaning already matches the reference.
 */
export function cleanTextAndSpaceCjk(text: string): string {
  let out = '';
  let segmentStart = 0;
  const n = text.length;
  let i = 0;
  while (i < n) {
    let cp = text.charCodeAt(i);
    let width = 1;
    if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < n) {
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        cp = ((cp - 0xd800) << 10) + (low - 0xdc00) + 0x10000;
        width = 2;
      }
    }
    const cls = charClass(cp);
    if (cls !== CHAR_OTHER && !(cls === CHAR_SPACE && cp === 0x20)) {
      out += text.slice(segmentStart, i);
      if (cls === CHAR_SPACE) out += ' ';
      else if (cls === CHAR_CJK) out += ` ${text.slice(i, i + width)} `;
      segmentStart = i + width;
    }
    i += width;
  }
  return segmentStart === 0 ? text : out + text.slice(segmentStart);
}
