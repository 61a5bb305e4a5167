export { basicTokenize, stripAccents } from './basic-tokenizer.js';
export { BertTokenizer, type BertTokenizerOptions } from './bert-tokenizer.js';
export {
  CASED_VOCAB_FILE,
  DATA_DIR_ENV,
  dataPath,
  defaultDataDir,
  findRepoRoot,
  UNCASED_VOCAB_FILE,
} from './data-path.js';
export { BertTextError, type BertTextErrorCode, isBertTextError } from './errors.js';
export {
  buildFeatures,
  DEFAULT_MAX_LENGTH,
  type EncodedFeatures,
  type FeatureOptions,
  MAX_MAX_LENGTH,
  type SpecialIds,
  truncatedPairLengths,
  truncateSeqPair,
} from './features.js';
export { type GlueTsv, type ParseGlueTsvOptions, parseGlueTsv, readGlueTsv } from './glue-tsv.js';
export type { BertTextLogger } from './logger.js';
export { type MrpcExample, mrpcFromTsv, parseMrpc, readMrpc } from './mrpc.js';
export { TOKENIZER_ENGINE_NAMES, type TokenizerEngineName } from './tokenizer-engine.js';
export { loadVocab, parseVocab, REQUIRED_SPECIAL_TOKENS, type Vocab, type VocabOptions } from './vocab.js';
