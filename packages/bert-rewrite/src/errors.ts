/** Stable error codes of @bert-neuron/bert-rewrite. */
export type BertRewriteErrorCode =
  | 'BRW_ERR_NOT_BERT'
  | 'BRW_ERR_UNSUPPORTED'
  | 'BRW_ERR_HEAD'
  | 'BRW_ERR_OPTION'
  | 'BRW_ERR_PARTITION'
  | 'BRW_ERR_USAGE'
  | 'BRW_ERR_INTERNAL';

/** Every error bert-rewrite throws on purpose carries a stable `code`. */
export class BertRewriteError extends Error {
  readonly code: BertRewriteErrorCode;

  constructor(code: BertRewriteErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BertRewriteError';
    this.code = code;
  }
}
