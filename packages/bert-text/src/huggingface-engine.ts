import { Tokenizer } from '@huggingface/tokenizers';
import { cleanTextAndSpaceCjk } from './basic-tokenizer.js';
import type { TokenizerEngine, TokenizerEngineConfig } from './tokenizer-engine.js';
import type { Vocab } from './vocab.js';

/**
 * The engine on @huggingface/tokenizers (tokenizers.js): BertNormalizer (lower case and accent
 * stripping), BertPreTokenizer and the WordPiece model, built from a tokenizer.json-shaped object.
 *
 * Two parts of the reference are done here instead of in the library, because tokenizers.js 0.2.0
 * differs from Google's `tokenization.py` there:
 * - its `handle_chinese_chars` walks UTF-16 code units, so CJK ideographs outside the BMP
 *   (U+20000 and up) are not split into words of their own;
 * - its `clean_text` also removes private-use (Co) characters, which the reference keeps (only Cc
 *   and Cf are control characters there).
 * So `clean_text` and `handle_chinese_chars` are off in the normalizer and `cleanTextAndSpaceCjk`
 * runs first. No added tokens are registered: the reference does not treat `[CLS]` typed in the
 * text as a special token, and neither does this engine.
 */
export function createHuggingFaceEngine(vocab: Vocab, config: TokenizerEngineConfig): TokenizerEngine {
  const tokenizer = new Tokenizer(
    {
      normalizer: {
        type: 'BertNormalizer',
        clean_text: false,
        handle_chinese_chars: false,
        strip_accents: null,
        lowercase: config.lowerCase,
      },
      pre_tokenizer: { type: 'BertPreTokenizer' },
      model: {
        type: 'WordPiece',
        vocab: Object.fromEntries(vocab.ids),
        unk_token: config.unkToken,
        continuing_subword_prefix: '##',
        max_input_chars_per_word: config.maxInputCharsPerWord,
      },
      post_processor: null,
      decoder: null,
      added_tokens: [],
    },
    {},
  );
  return {
    name: 'huggingface',
    encode(text: string): number[] {
      return tokenizer.encode(cleanTextAndSpaceCjk(text), { add_special_tokens: false }).ids;
    },
  };
}
