/**
 * Errors raised by @bert-neuron/bert-models. Every error carries a stable `code`; callers branch on
 * the code, never on the message. Messages say what was wrong and what to do about it.
 */
export type BertModelsErrorCode =
  /** A BertConfig is invalid (for example the hidden size is not divisible by the head count). */
  | 'BMD_ERR_CONFIG'
  /** An option of `generateBert` is invalid (unknown flavor or head, opset outside 11..17, bad seed). */
  | 'BMD_ERR_OPTION'
  /** The command line is invalid (unknown flag, preset, flavor or head; bad number). CLI exit code 2. */
  | 'BMD_ERR_USAGE'
  /** Writing the model failed. */
  | 'BMD_ERR_IO'
  /** An unexpected failure (a bug); the cause is attached. */
  | 'BMD_ERR_INTERNAL';

export class BertModelsError extends Error {
  readonly code: BertModelsErrorCode;

  constructor(code: BertModelsErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'BertModelsError';
    this.code = code;
  }
}

/** True when `error` is a BertModelsError, optionally with the given code. */
export function isBertModelsError(error: unknown, code?: BertModelsErrorCode): error is BertModelsError {
  return error instanceof BertModelsError && (code === undefined || error.code === code);
}
