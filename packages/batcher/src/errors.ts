/**
 * Errors raised by @bert-neuron/batcher. Every error carries a stable `code`; callers (the server)
 * branch on the code, never on the message. Messages say what was wrong and what to do about it.
 */
export type BatcherErrorCode =
  /** An option or argument is invalid (constructor options, `submit` options). */
  | 'BAT_ERR_ARGUMENT'
  /** The item's length is above the largest bucket; it was rejected at once and never queued. */
  | 'BAT_ERR_TOO_LONG'
  /** The queue already holds `maxQueue` waiting items; `retryAfterMs` estimates when to retry. */
  | 'BAT_ERR_OVERLOADED'
  /** The item's deadline passed before it started (at submit, or while it waited). */
  | 'BAT_ERR_DEADLINE'
  /** The caller's AbortSignal fired while the item waited; it was removed and never ran. */
  | 'BAT_ERR_CANCELLED'
  /** The batch holding the item failed (`run` threw, rejected, or returned a bad result); `cause` says why. */
  | 'BAT_ERR_BATCH_FAILED'
  /** The batch holding the item ran longer than `runTimeoutMs`; the item's result is no longer awaited. */
  | 'BAT_ERR_BATCH_TIMEOUT'
  /** `run` returned something other than an array with one result per slot (used as a `cause`). */
  | 'BAT_ERR_BAD_RESULT'
  /** The batcher is closed or draining (`close()`/`drain()`), or was closed while the item waited. */
  | 'BAT_ERR_CLOSED';

/** Every code, in a stable order (for counters and exporters). */
export const BATCHER_ERROR_CODES: readonly BatcherErrorCode[] = [
  'BAT_ERR_ARGUMENT',
  'BAT_ERR_TOO_LONG',
  'BAT_ERR_OVERLOADED',
  'BAT_ERR_DEADLINE',
  'BAT_ERR_CANCELLED',
  'BAT_ERR_BATCH_FAILED',
  'BAT_ERR_BATCH_TIMEOUT',
  'BAT_ERR_BAD_RESULT',
  'BAT_ERR_CLOSED',
];

export class BatcherError extends Error {
  readonly code: BatcherErrorCode;
  /** With `BAT_ERR_OVERLOADED`: milliseconds after which a retry is likely to be accepted. */
  readonly retryAfterMs: number | undefined;

  constructor(code: BatcherErrorCode, message: string, options?: { cause?: unknown; retryAfterMs?: number }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'BatcherError';
    this.code = code;
    this.retryAfterMs = options?.retryAfterMs;
  }
}

/** True when `error` is a BatcherError, optionally with the given code. */
export function isBatcherError(error: unknown, code?: BatcherErrorCode): error is BatcherError {
  return error instanceof BatcherError && (code === undefined || error.code === code);
}
