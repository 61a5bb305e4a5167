/**
 * Errors raised by @bert-neuron/loadgen. Every error carries a stable `code`; callers branch on the
 * code, never on the message. Messages say what was wrong and what to do about it.
 *
 * Failed requests during a run are NOT errors of this kind: they are counted in the report by their
 * HTTP status, gRPC status or network error code.
 */
export type LoadgenErrorCode =
  /** The command line is invalid (unknown flag, bad value, conflicting flags). CLI exit code 2. */
  | 'LDG_ERR_USAGE'
  /** An option passed to `runLoad` is invalid. */
  | 'LDG_ERR_ARGUMENT'
  /** The data file is missing, unreadable, not a GLUE MRPC TSV, or has no rows. */
  | 'LDG_ERR_DATA'
  /** The gRPC contract file (proto/mrpc.proto) cannot be found or loaded. */
  | 'LDG_ERR_PROTO'
  /** The server did not become ready within the ready timeout. */
  | 'LDG_ERR_NOT_READY'
  /** The run completed but every request failed. */
  | 'LDG_ERR_ALL_FAILED'
  /** The run was stopped early (Ctrl-C); the report of what ran was still printed and written. */
  | 'LDG_ERR_INTERRUPTED'
  /** Writing the JSON report or the SVG plot failed. */
  | 'LDG_ERR_OUTPUT'
  /** An unexpected failure (a bug); the cause is attached. */
  | 'LDG_ERR_INTERNAL';

export class LoadgenError extends Error {
  readonly code: LoadgenErrorCode;

  constructor(code: LoadgenErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'LoadgenError';
    this.code = code;
  }
}

/** True when `error` is a LoadgenError, optionally with the given code. */
export function isLoadgenError(error: unknown, code?: LoadgenErrorCode): error is LoadgenError {
  return error instanceof LoadgenError && (code === undefined || error.code === code);
}
