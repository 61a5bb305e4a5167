/** Which implementation turns text into WordPiece ids. Both follow Google's reference exactly. */
export type TokenizerEngineName = 'builtin' | 'huggingface';

export const TOKENIZER_ENGINE_NAMES: readonly TokenizerEngineName[] = ['builtin', 'huggingface'];

/** Text to WordPiece ids, without special tokens. */
export interface TokenizerEngine {
  readonly name: TokenizerEngineName;
  encode(text: string): number[];
}

export interface TokenizerEngineConfig {
  lowerCase: boolean;
  unkToken: string;
  maxInputCharsPerWord: number;
}
