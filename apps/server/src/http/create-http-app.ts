import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyRequest,
  LogController,
} from 'fastify';
import { ServerError } from '../errors.js';
import type { Endpoint } from '../metrics/server-metrics.js';
import { BODY_LIMIT_BYTES, type HttpContext } from './http-context.js';
import { openApiDocument } from './openapi-document.js';
import { sendError } from './send-error.js';
import { registerV1Routes } from './v1-routes.js';
import { registerV2Routes } from './v2-routes.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

export interface HttpAppOptions {
  readonly logLevel: LogLevel;
  /** Where pino writes (default stderr, so stdout keeps the reference's console lines). */
  readonly logStream?: NodeJS.WritableStream;
}

const ENDPOINTS: Record<string, Endpoint> = {
  '/v1/paraphrase': 'v1_paraphrase',
  '/v1/paraphrase/batch': 'v1_paraphrase_batch',
  '/v2/models/:name/infer': 'v2_infer',
  '/v2/models/:name/versions/:version/infer': 'v2_infer',
};

function endpointOf(request: FastifyRequest): Endpoint | undefined {
  return ENDPOINTS[request.routeOptions.url ?? ''];
}

/** Fastify's own request errors (body parsing) as the server's codes. */
function asServerError(error: FastifyError): unknown {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ServerError(
        'SRV_ERR_BODY_TOO_LARGE',
        `the body is larger than ${BODY_LIMIT_BYTES} bytes; send fewer or shorter pairs`,
      );
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ServerError('SRV_ERR_MEDIA_TYPE', 'send the body as application/json');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new ServerError('SRV_ERR_BAD_REQUEST', 'the body is empty; send a JSON object');
    default:
      if (error instanceof SyntaxError || error.code === 'FST_ERR_CTP_INVALID_JSON_BODY')
        return new ServerError('SRV_ERR_BAD_REQUEST', `the body is not valid JSON: ${error.message}`, {
          cause: error,
        });
      if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500)
        return new ServerError('SRV_ERR_BAD_REQUEST', error.message, { cause: error });
      return error;
  }
}

/**
 * The fastify application: /v1 paraphrase routes, the Open Inference Protocol (v2) routes,
 * GET /metrics (Prometheus), GET /docs (OpenAPI JSON). Every error is `{ error, code }` with the
 * status errorStatus gives. Request logging is off (one line per request would cost more than the
 * inference of a tiny model); server-side failures are logged.
 */
export function createHttpApp(ctx: HttpContext, options: HttpAppOptions): FastifyInstance {
  const app = Fastify({
    logger:
      options.logLevel === 'silent'
        ? false
        : { level: options.logLevel, stream: options.logStream ?? process.stderr },
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT_BYTES,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  });
  app.setErrorHandler((error: FastifyError, request, reply) =>
    sendError(reply, asServerError(error), ctx.metrics, endpointOf(request)),
  );
  app.setNotFoundHandler((request, reply) =>
    sendError(
      reply,
      new ServerError(
        'SRV_ERR_NOT_FOUND',
        `no route ${request.method} ${request.url}; see GET /docs for the API`,
      ),
      ctx.metrics,
      undefined,
    ),
  );
  registerV1Routes(app, ctx);
  registerV2Routes(app, ctx);
  const { io } = ctx.engine.model;
  const docs = openApiDocument({
    version: ctx.version,
    modelName: ctx.modelName,
    batchSize: io.batchSize,
    buckets: io.buckets,
  });
  app.get('/docs', async () => docs);
  app.get('/metrics', async (_request, reply) => {
    reply.header('content-type', ctx.metrics.contentType);
    return ctx.metrics.text();
  });
  return app;
}
