/**
 * Character classes of Google BERT's `tokenization.py`, by code point:
 *
 * - whitespace (`_is_whitespace`): space, `\t`, `\n`, `\r`, or category Zs. `_clean_text` turns each
 *   into a space. Zl/Zp (U+2028, U+2029) are kept by `_clean_text` but Python's `str.split()` then
 *   splits on them, so for tokenization they are whitespace as well.
 * - removed (`_clean_text`): U+0000, U+FFFD, and `_is_control` = category Cc or Cf except `\t\n\r`.
 *   Lone surrogates (impossible in Python text decoded from UTF-8) are removed too.
 * - Chinese (`_is_chinese_char`): the CJK Unified Ideographs blocks listed in the reference.
 * - punctuation (`_is_punctuation`): ASCII 33-47, 58-64, 91-96, 123-126, or category P*.
 */
export const CHAR_OTHER = 0;
export const CHAR_SPACE = 1;
export const CHAR_REMOVE = 2;
export const CHAR_CJK = 3;

export type CharClass = typeof CHAR_OTHER | typeof CHAR_SPACE | typeof CHAR_REMOVE | typeof CHAR_CJK;

const RE_CONTROL = /^[\p{Cc}\p{Cf}]$/u;
const RE_SPACE = /^[\p{Zs}\p{Zl}\p{Zp}]$/u;
const RE_PUNCT = /^\p{P}$/u;

/** The reference `_is_chinese_char`, on code points (including the supplementary planes). */
export function isChineseChar(cp: number): boolean {
  return (
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x20000 && cp <= 0x2a6df) ||
    (cp >= 0x2a700 && cp <= 0x2b73f) ||
    (cp >= 0x2b740 && cp <= 0x2b81f) ||
    (cp >= 0x2b820 && cp <= 0x2ceaf) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0x2f800 && cp <= 0x2fa1f)
  );
}

function computeClass(cp: number): CharClass {
  if (cp === 0x09 || cp === 0x0a || cp === 0x0d || cp === 0x20) return CHAR_SPACE;
  if (cp === 0 || cp === 0xfffd || (cp >= 0xd800 && cp <= 0xdfff)) return CHAR_REMOVE;
  const ch = String.fromCodePoint(cp);
  if (RE_CONTROL.test(ch)) return CHAR_REMOVE;
  if (RE_SPACE.test(ch)) return CHAR_SPACE;
  if (isChineseChar(cp)) return CHAR_CJK;
  return CHAR_OTHER;
}

function computePunctuation(cp: number): boolean {
  if (
    (cp >= 33 && cp <= 47) ||
    (cp >= 58 && cp <= 64) ||
    (cp >= 91 && cp <= 96) ||
    (cp >= 123 && cp <= 126)
  ) {
    return true;
  }
  return RE_PUNCT.test(String.fromCodePoint(cp));
}

// Lazily filled table over all code points: bit 0 = computed, bits 1-2 = class, bit 3 = punctuation.
const table = new Uint8Array(0x110000);

function lookup(cp: number): number {
  let entry = table[cp];
  if (entry === 0) {
    entry = 1 | (computeClass(cp) << 1) | (computePunctuation(cp) ? 8 : 0);
    table[cp] = entry;
  }
  return entry;
}

for (let cp = 0; cp < 128; cp++) lookup(cp);

/** Class of a code point for the cleaning / whitespace / CJK step. */
export function charClass(cp: number): CharClass {
  return ((lookup(cp) >> 1) & 3) as CharClass;
}

/** The reference `_is_punctuation`. */
export function isPunctuation(cp: number): boolean {
  return (lookup(cp) & 8) !== 0;
}
