/** What the OpenAPI document states about the served model. */
export interface OpenApiInfo {
  readonly version: string;
  readonly modelName: string;
  readonly batchSize: number;
  readonly buckets: readonly number[];
}

const json = (schema: unknown) => ({ 'application/json': { schema } });
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const errorResponse = (description: string) => ({ description, content: json(ref('Error')) });

const ERRORS = {
  '400': errorResponse(
    'Malformed JSON, a missing or mistyped field, text over 64 KiB, a bad tensor (SRV_ERR_BAD_REQUEST, SRV_ERR_TEXT_TOO_LONG, SRV_ERR_TENSOR)',
  ),
  '413': errorResponse('Body over 16 MiB (SRV_ERR_BODY_TOO_LARGE)'),
  '415': errorResponse('Body not application/json (SRV_ERR_MEDIA_TYPE)'),
  '429': {
    ...errorResponse('The queue is full (BAT_ERR_OVERLOADED); retry after Retry-After seconds'),
    headers: { 'Retry-After': { schema: { type: 'integer', minimum: 1 }, description: 'seconds' } },
  },
  '500': errorResponse(
    'The batch holding the request failed (BAT_ERR_BATCH_FAILED, with cause), or a bug (SRV_ERR_INTERNAL)',
  ),
  '503': errorResponse('Starting (SRV_ERR_NOT_READY) or shutting down (SRV_ERR_DRAINING)'),
  '504': errorResponse(
    'The request did not start within --request-timeout-ms (BAT_ERR_DEADLINE, BAT_ERR_BATCH_TIMEOUT)',
  ),
};

/**
 * The OpenAPI 3.0 description of the HTTP API, written by hand (the routes validate their bodies
 * themselves, so that every error has the server's own code); served as JSON at GET /docs.
 */
export function openApiDocument(info: OpenApiInfo): Record<string, unknown> {
  const maxSeq = info.buckets[info.buckets.length - 1];
  const modelParam = [
    { name: 'name', in: 'path', required: true, schema: { type: 'string', enum: [info.modelName] } },
  ];
  return {
    openapi: '3.0.3',
    info: {
      title: 'bert-server',
      version: info.version,
      description: `MRPC paraphrase detection with a compiled BERT (batch ${info.batchSize}, buckets ${info.buckets.join(', ')}). The same service is offered over gRPC as mrpc.mrpc/paraphrase (proto/mrpc.proto). Errors are {error, code}.`,
    },
    paths: {
      '/v1/paraphrase': {
        post: {
          summary: 'Classify one sentence pair',
          requestBody: { required: true, content: json(ref('TextPair')) },
          responses: {
            '200': { description: 'the answer', content: json(ref('ParaphraseAnswer')) },
            ...ERRORS,
          },
        },
      },
      '/v1/paraphrase/batch': {
        post: {
          summary: 'Classify 1 to 64 sentence pairs (all or nothing)',
          requestBody: {
            required: true,
            content: json({
              type: 'object',
              required: ['pairs'],
              properties: { pairs: { type: 'array', minItems: 1, maxItems: 64, items: ref('TextPair') } },
            }),
          },
          responses: {
            '200': {
              description: 'one answer per pair, in order',
              content: json({
                type: 'object',
                properties: { results: { type: 'array', items: ref('ParaphraseAnswer') } },
              }),
            },
            ...ERRORS,
          },
        },
      },
      '/v2': {
        get: {
          summary: 'Server metadata (Open Inference Protocol)',
          responses: { '200': { description: 'name, version, extensions' } },
        },
      },
      '/v2/health/live': {
        get: { summary: 'Liveness', responses: { '200': { description: '{"live": true}' } } },
      },
      '/v2/health/ready': {
        get: {
          summary: 'Readiness: 200 when taking requests, 503 while starting or draining',
          responses: {
            '200': { description: '{"ready": true}' },
            '503': { description: '{"ready": false}' },
          },
        },
      },
      '/v2/models/{name}': {
        get: {
          summary: 'Model metadata: inputs and outputs with datatype and shape',
          parameters: modelParam,
          responses: { '200': { description: 'metadata' }, '404': errorResponse('unknown model') },
        },
      },
      '/v2/models/{name}/ready': {
        get: {
          summary: 'Model readiness',
          parameters: modelParam,
          responses: {
            '200': { description: '{"ready": true}' },
            '503': { description: '{"ready": false}' },
          },
        },
      },
      '/v2/models/{name}/infer': {
        post: {
          summary: `Inference: INT32/INT64 input_ids, input_mask (, segment_ids) [n, <= ${maxSeq}] or BYTES text_a, text_b [n]; n <= 64`,
          parameters: modelParam,
          requestBody: { required: true, content: json(ref('V2InferRequest')) },
          responses: {
            '200': {
              description: 'probabilities FP32 [n, 2] and prediction INT64 [n]',
              content: json(ref('V2InferResponse')),
            },
            ...ERRORS,
          },
        },
      },
      '/metrics': {
        get: {
          summary: 'Prometheus metrics (text format)',
          responses: { '200': { description: 'text/plain; version=0.0.4' } },
        },
      },
      '/docs': { get: { summary: 'This document', responses: { '200': { description: 'OpenAPI 3 JSON' } } } },
    },
    components: {
      schemas: {
        TextPair: {
          type: 'object',
          required: ['text_a', 'text_b'],
          properties: {
            text_a: { type: 'string', minLength: 1, description: 'at most 64 KiB of UTF-8' },
            text_b: { type: 'string', minLength: 1, description: 'at most 64 KiB of UTF-8' },
          },
        },
        ParaphraseAnswer: {
          type: 'object',
          properties: {
            prediction: { type: 'integer', enum: [0, 1] },
            label: { type: 'string', enum: ['not paraphrase', 'paraphrase'] },
            message: { type: 'string', enum: ['not paraphrase!', 'paraphrase!'] },
            probabilities: { type: 'array', items: { type: 'number' }, minItems: 2, maxItems: 2 },
          },
        },
        Error: {
          type: 'object',
          required: ['error', 'code'],
          properties: {
            error: { type: 'string', description: 'what was wrong and what to do' },
            code: {
              type: 'string',
              description: 'stable code, e.g. SRV_ERR_BAD_REQUEST, BAT_ERR_OVERLOADED',
            },
            cause: { type: 'string', description: 'the code of the underlying error, when there is one' },
          },
        },
        V2Tensor: {
          type: 'object',
          required: ['name', 'shape', 'datatype', 'data'],
          properties: {
            name: { type: 'string' },
            shape: { type: 'array', items: { type: 'integer', minimum: 0 } },
            datatype: { type: 'string', enum: ['INT32', 'INT64', 'BYTES', 'FP32'] },
            data: { type: 'array', items: {}, description: 'row-major, flat or nested' },
          },
        },
        V2InferRequest: {
          type: 'object',
          required: ['inputs'],
          properties: {
            id: { type: 'string' },
            inputs: { type: 'array', items: ref('V2Tensor') },
            outputs: {
              type: 'array',
              items: {
                type: 'object',
                properties: { name: { type: 'string', enum: ['probabilities', 'prediction'] } },
              },
            },
          },
        },
        V2InferResponse: {
          type: 'object',
          properties: {
            model_name: { type: 'string' },
            model_version: { type: 'string' },
            id: { type: 'string' },
            outputs: { type: 'array', items: ref('V2Tensor') },
          },
        },
      },
    },
  };
}
