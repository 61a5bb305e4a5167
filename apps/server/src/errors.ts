/**
 * Errors raised by @bert-neuron/server. Every error carries a stable `code`; the server maps codes
 * (its own, the batcher's and the runtime's) to HTTP and gRPC statuses in error-status.ts, and
 * nowhere else. Messages say what was wrong and what to do about it.
 */
export type ServerErrorCode =
  /** Bad command line (unknown flag, bad value, missing --dir); the CLI exits 2. */
  | 'SRV_ERR_USAGE'
  /** A startServer / runBootstrap option is invalid. */
  | 'SRV_ERR_OPTION'
  /** The artifact cannot be served (not a two-label sequence classifier, inputs of an unusable dtype). */
  | 'SRV_ERR_ARTIFACT'
  /** --batch differs from the batch size the artifact was compiled for. */
  | 'SRV_ERR_BATCH_MISMATCH'
  /** No vocabulary (the artifact has none and --vocab was not given) or one larger than the model's. */
  | 'SRV_ERR_VOCAB'
  /** The bootstrap data set cannot be read. */
  | 'SRV_ERR_DATA'
  /** A port cannot be bound. */
  | 'SRV_ERR_LISTEN'
  /** The request is malformed: not JSON, a field missing or of the wrong type, too many pairs. */
  | 'SRV_ERR_BAD_REQUEST'
  /** A text field is longer than 64 KiB (UTF-8 bytes). */
  | 'SRV_ERR_TEXT_TOO_LONG'
  /** A v2 tensor has the wrong datatype, shape, data length or values, or is longer than the largest bucket. */
  | 'SRV_ERR_TENSOR'
  /** The request body is larger than the server accepts. */
  | 'SRV_ERR_BODY_TOO_LARGE'
  /** The request body is not application/json. */
  | 'SRV_ERR_MEDIA_TYPE'
  /** No such route, or no such model. */
  | 'SRV_ERR_NOT_FOUND'
  /** The server is still loading the model. */
  | 'SRV_ERR_NOT_READY'
  /** The server is shutting down and takes no new requests. */
  | 'SRV_ERR_DRAINING'
  /** A bug: an error nobody expected. */
  | 'SRV_ERR_INTERNAL';

export class ServerError extends Error {
  readonly code: ServerErrorCode;

  constructor(code: ServerErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ServerError';
    this.code = code;
  }
}

/** True when `error` is a ServerError, optionally with the given code. */
export function isServerError(error: unknown, code?: ServerErrorCode): error is ServerError {
  return error instanceof ServerError && (code === undefined || error.code === code);
}
