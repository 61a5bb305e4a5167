import type { FastifyReply } from 'fastify';
import { errorStatus } from '../error-status.js';
import type { Endpoint, ServerMetrics } from '../metrics/server-metrics.js';

/**
 * Answer an error as `{ error, code }` (and `cause` when it wraps one) with the status errorStatus
 * maps it to, a Retry-After header on 429; count it for the endpoint; log server-side failures.
 */
export function sendError(
  reply: FastifyReply,
  error: unknown,
  metrics: ServerMetrics,
  endpoint: Endpoint | undefined,
): FastifyReply {
  const s = errorStatus(error);
  if (endpoint !== undefined) metrics.request(endpoint, s.code);
  if (s.http >= 500 && s.http !== 503) reply.log.error({ err: error, code: s.code }, s.message);
  if (s.retryAfterSeconds !== undefined) reply.header('retry-after', String(s.retryAfterSeconds));
  return reply
    .code(s.http)
    .send({ error: s.message, code: s.code, ...(s.causeCode !== undefined ? { cause: s.causeCode } : {}) });
}
