import { isBatcherError } from '@bert-neuron/batcher';
import { isNeuronRuntimeError } from '@bert-neuron/neuron-runtime';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { isServerError } from './errors.js';

/** How an error is answered: HTTP status, gRPC status, the stable code and the message. */
export interface ErrorStatus {
  readonly http: number;
  readonly grpc: GrpcStatus;
  readonly code: string;
  readonly message: string;
  /** For 429 / RESOURCE_EXHAUSTED: whole seconds after which a retry is likely to be accepted (>= 1). */
  readonly retryAfterSeconds?: number;
  /** The code of the cause, when the error wraps another one (a failed batch's runtime error). */
  readonly causeCode?: string;
}

const SERVER_STATUS: Record<string, readonly [number, GrpcStatus]> = {
  SRV_ERR_BAD_REQUEST: [400, GrpcStatus.INVALID_ARGUMENT],
  SRV_ERR_TEXT_TOO_LONG: [400, GrpcStatus.INVALID_ARGUMENT],
  SRV_ERR_TENSOR: [400, GrpcStatus.INVALID_ARGUMENT],
  SRV_ERR_BODY_TOO_LARGE: [413, GrpcStatus.RESOURCE_EXHAUSTED],
  SRV_ERR_MEDIA_TYPE: [415, GrpcStatus.INVALID_ARGUMENT],
  SRV_ERR_NOT_FOUND: [404, GrpcStatus.NOT_FOUND],
  SRV_ERR_NOT_READY: [503, GrpcStatus.UNAVAILABLE],
  SRV_ERR_DRAINING: [503, GrpcStatus.UNAVAILABLE],
};

const BATCHER_STATUS: Record<string, readonly [number, GrpcStatus]> = {
  BAT_ERR_TOO_LONG: [400, GrpcStatus.INVALID_ARGUMENT],
  BAT_ERR_ARGUMENT: [400, GrpcStatus.INVALID_ARGUMENT],
  BAT_ERR_OVERLOADED: [429, GrpcStatus.RESOURCE_EXHAUSTED],
  BAT_ERR_DEADLINE: [504, GrpcStatus.DEADLINE_EXCEEDED],
  BAT_ERR_BATCH_TIMEOUT: [504, GrpcStatus.DEADLINE_EXCEEDED],
  // The client went away; nobody reads the answer. 499 is nginx's "client closed request".
  BAT_ERR_CANCELLED: [499, GrpcStatus.CANCELLED],
  BAT_ERR_CLOSED: [503, GrpcStatus.UNAVAILABLE],
  BAT_ERR_BATCH_FAILED: [500, GrpcStatus.INTERNAL],
  BAT_ERR_BAD_RESULT: [500, GrpcStatus.INTERNAL],
};

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * The one place where error codes become HTTP and gRPC statuses (see the table in the README):
 * bad input 400 / INVALID_ARGUMENT, a full queue 429 / RESOURCE_EXHAUSTED with a retry estimate,
 * starting or draining 503 / UNAVAILABLE, a passed deadline 504 / DEADLINE_EXCEEDED, a failed batch
 * and anything unexpected 500 / INTERNAL.
 */
export function errorStatus(error: unknown): ErrorStatus {
  const message = error instanceof Error ? error.message : String(error);
  if (isServerError(error)) {
    const [http, grpc] = SERVER_STATUS[error.code] ?? [500, GrpcStatus.INTERNAL];
    return { http, grpc, code: error.code, message };
  }
  if (isBatcherError(error)) {
    const [http, grpc] = BATCHER_STATUS[error.code] ?? [500, GrpcStatus.INTERNAL];
    const causeCode = codeOf(error.cause);
    const retryAfterSeconds =
      error.code === 'BAT_ERR_OVERLOADED'
        ? Math.max(1, Math.ceil((error.retryAfterMs ?? 1000) / 1000))
        : undefined;
    return {
      http,
      grpc,
      code: error.code,
      message:
        causeCode !== undefined && error.cause instanceof Error
          ? `${message}: ${causeCode}: ${error.cause.message}`
          : message,
      ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
      ...(causeCode !== undefined ? { causeCode } : {}),
    };
  }
  if (isNeuronRuntimeError(error)) {
    const closed = error.code === 'NRT_ERR_CLOSED';
    return {
      http: closed ? 503 : 500,
      grpc: closed ? GrpcStatus.UNAVAILABLE : GrpcStatus.INTERNAL,
      code: error.code,
      message,
    };
  }
  return {
    http: 500,
    grpc: GrpcStatus.INTERNAL,
    code: 'SRV_ERR_INTERNAL',
    message: `internal error: ${message}`,
  };
}
