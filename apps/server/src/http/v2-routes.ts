import type { FastifyInstance, FastifyReply } from 'fastify';
import { ServerError } from '../errors.js';
import type { ClassScores } from '../model/class-scores.js';
import { classifyAll } from './classify-all.js';
import { handleInference } from './handle-inference.js';
import type { HttpContext } from './http-context.js';
import { sendError } from './send-error.js';
import { parseV2InferRequest, type V2OutputName } from './v2-infer-request.js';

/** The one model version the server holds. */
export const MODEL_VERSION = '1';

/** The v2 metadata of the served model (GET /v2/models/bert). */
export function modelMetadata(ctx: HttpContext): Record<string, unknown> {
  const { io, artifact } = ctx.engine.model;
  const m = artifact.manifest;
  const ids = io.idsDtype === 'int32' ? 'INT32' : 'INT64';
  return {
    name: ctx.modelName,
    versions: [MODEL_VERSION],
    platform: 'bert-neuron',
    inputs: [
      { name: 'input_ids', datatype: ids, shape: [-1, -1] },
      { name: 'input_mask', datatype: ids, shape: [-1, -1] },
      { name: 'segment_ids', datatype: ids, shape: [-1, -1] },
      { name: 'text_a', datatype: 'BYTES', shape: [-1] },
      { name: 'text_b', datatype: 'BYTES', shape: [-1] },
    ],
    outputs: [
      { name: 'probabilities', datatype: 'FP32', shape: [-1, io.labels] },
      { name: 'prediction', datatype: 'INT64', shape: [-1] },
    ],
    parameters: {
      head: m.head,
      labels: ['not paraphrase', 'paraphrase'],
      batch_size: io.batchSize,
      buckets: io.buckets,
      max_sequence_length: io.maxBucket,
      max_rows_per_request: 64,
      precision: m.precision,
      cores: ctx.engine.deviceStats()?.cores.length ?? 0,
      note: 'send input_ids + input_mask (+ segment_ids) of shape [n, <= max_sequence_length], or text_a + text_b of shape [n]',
    },
  };
}

function v2Outputs(scores: readonly ClassScores[], wanted: readonly V2OutputName[]): unknown[] {
  const n = scores.length;
  return wanted.map((name) =>
    name === 'probabilities'
      ? {
          name,
          datatype: 'FP32',
          shape: [n, scores[0]?.probabilities.length ?? 2],
          data: scores.flatMap((s) => s.probabilities.map(Math.fround)),
        }
      : { name, datatype: 'INT64', shape: [n], data: scores.map((s) => s.prediction) },
  );
}

/**
 * The Open Inference Protocol (KServe v2) REST endpoints: server and model health, metadata, and
 * inference; `/v2/models/bert/versions/1/...` works as well as `/v2/models/bert/...`.
 */
export function registerV2Routes(app: FastifyInstance, ctx: HttpContext): void {
  const { engine } = ctx;
  const ready = (reply: FastifyReply) =>
    reply.code(engine.ready() ? 200 : 503).send({ ready: engine.ready() });
  const checkModel = (params: unknown): void => {
    const { name, version } = params as { name: string; version?: string };
    if (name !== ctx.modelName || (version !== undefined && version !== MODEL_VERSION))
      throw new ServerError(
        'SRV_ERR_NOT_FOUND',
        `no model '${name}'${version === undefined ? '' : ` version '${version}'`}; this server serves '${ctx.modelName}' version ${MODEL_VERSION}`,
      );
  };
  app.get('/v2', async () => ({ name: 'bert-server', version: ctx.version, extensions: [] }));
  app.get('/v2/health/live', async () => ({ live: true }));
  app.get('/v2/health/ready', async (_request, reply) => ready(reply));
  for (const base of ['/v2/models/:name', '/v2/models/:name/versions/:version']) {
    app.get(base, async (request, reply) => {
      try {
        checkModel(request.params);
        return modelMetadata(ctx);
      } catch (e) {
        return sendError(reply, e, ctx.metrics, undefined);
      }
    });
    app.get(`${base}/ready`, async (request, reply) => {
      try {
        checkModel(request.params);
        return ready(reply);
      } catch (e) {
        return sendError(reply, e, ctx.metrics, undefined);
      }
    });
    app.post(`${base}/infer`, (request, reply) =>
      handleInference(ctx, 'v2_infer', reply, async (signal) => {
        checkModel(request.params);
        const req = parseV2InferRequest(request.body, engine.model.io);
        const rows =
          req.inputs.kind === 'text'
            ? req.inputs.pairs.map((p) => engine.encodeText(p.textA, p.textB))
            : req.inputs.rows;
        const scores = await classifyAll(engine, rows, signal);
        return {
          model_name: ctx.modelName,
          model_version: MODEL_VERSION,
          ...(req.id !== undefined ? { id: req.id } : {}),
          outputs: v2Outputs(scores, req.outputs),
        };
      }),
    );
  }
}
