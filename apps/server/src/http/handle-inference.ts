import type { FastifyReply } from 'fastify';
import type { Endpoint } from '../metrics/server-metrics.js';
import type { HttpContext } from './http-context.js';
import { sendError } from './send-error.js';

/**
 * Run an inference route's work with an AbortSignal that fires when the client goes away before the
 * answer is sent (its waiting requests then leave the queue and never run), count the request by
 * outcome, and answer the result as JSON or the error as errorStatus maps it.
 */
export async function handleInference(
  ctx: HttpContext,
  endpoint: Endpoint,
  reply: FastifyReply,
  work: (signal: AbortSignal) => Promise<unknown>,
): Promise<FastifyReply> {
  const controller = new AbortController();
  const res = reply.raw;
  const onClose = (): void => {
    if (!res.writableFinished) controller.abort(new Error('the client closed the connection'));
  };
  res.once('close', onClose);
  try {
    const body = await work(controller.signal);
    ctx.metrics.request(endpoint, 'ok');
    return reply.code(200).send(body);
  } catch (error) {
    return sendError(reply, error, ctx.metrics, endpoint);
  } finally {
    res.off('close', onClose);
  }
}
