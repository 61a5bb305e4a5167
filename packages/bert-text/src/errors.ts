/**
 * Errors raised by @bert-neuron/bert-text. Every error carries a stable `code`; callers branch on the
 * code, never on the message. Messages say what was wrong and what to do about it.
 */
export type BertTextErrorCode =
  /** The vocabulary file is missing, unreadable, empty, or lacks a required special token. */
  | 'BTX_ERR_VOCAB'
  /** A TSV file is missing, unreadable, empty, or has a row with the wrong number of columns. */
  | 'BTX_ERR_TSV'
  /** A file is a valid TSV but not the expected GLUE MRPC layout (header, labels). */
  | 'BTX_ERR_MRPC'
  /** An API argument is invalid (for example `maxLength` is not an integer >= 3 for a pair). */
  | 'BTX_ERR_ARGUMENT'
  /** Writing the output failed (other than the reader closing the pipe, which is not an error). */
  | 'BTX_ERR_OUTPUT'
  /** The command line is invalid (unknown flag, missing value, unknown command). CLI exit code 2. */
  | 'BTX_ERR_USAGE'
  /** An unexpected failure (a bug); the cause is attached. */
  | 'BTX_ERR_INTERNAL';

export class BertTextError extends Error {
  readonly code: BertTextErrorCode;

  constructor(code: BertTextErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'BertTextError';
    this.code = code;
  }
}

/** True when `error` is a BertTextError, optionally with the given code. */
export function isBertTextError(error: unknown, code?: BertTextErrorCode): error is BertTextError {
  return error instanceof BertTextError && (code === undefined || error.code === code);
}
