/**
 * The result of one request as the load generator sees it. Failures carry a stable code:
 * `HTTP_<status>` (e.g. HTTP_429), `GRPC_<STATUS>` (e.g. GRPC_RESOURCE_EXHAUSTED), a network error
 * code (e.g. ECONNRESET, UND_ERR_SOCKET), `TIMEOUT` (the client's --timeout-ms passed) or
 * `BAD_RESPONSE` (a success status with an answer that is not a prediction of 0 or 1).
 */
export type Outcome = { ok: true; prediction: 0 | 1 } | { ok: false; code: string };

/** Error code for a client-side timeout (HTTP). Over gRPC a passed deadline is GRPC_DEADLINE_EXCEEDED. */
export const TIMEOUT_CODE = 'TIMEOUT';

/** Error code for a success status whose body is not a valid answer. */
export const BAD_RESPONSE_CODE = 'BAD_RESPONSE';

/** A network error's code (`err.code`, or its cause's), upper-cased and reduced to [A-Z0-9_]. */
export function networkErrorCode(error: unknown): string {
  const pick = (e: unknown): string | undefined => {
    const code = (e as { code?: unknown } | null)?.code;
    return typeof code === 'string' && code !== '' ? code : undefined;
  };
  const code = pick(error) ?? pick((error as { cause?: unknown } | null)?.cause) ?? 'NETWORK_ERROR';
  return code.toUpperCase().replace(/[^A-Z0-9_]/g, '_');
}
