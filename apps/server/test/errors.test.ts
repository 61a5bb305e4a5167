// Errors, end to end: bad requests over HTTP and gRPC on a normal server; overload, deadlines,
// client disconnects and draining on a "held" server, whose batcher holds a short batch for a
// minute (--max-delay-ms 60000), so requests wait in the queue for as long as a test needs.
import { status as GrpcStatus } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { MAX_TEXT_BYTES, type RunningServer, startServer } from '../src/index.js';
import { grpcError, mrpcClient, paraphrase } from './support/grpc-client.js';
import { get, type HttpAnswer, post } from './support/http-client.js';
import { metricValue } from './support/metric-value.js';

const dir = inject('artifactDir');
let server: RunningServer;
let held: RunningServer;
let faulty: RunningServer;
let client: ReturnType<typeof mrpcClient>;
let heldClient: ReturnType<typeof mrpcClient>;
const HELD_TIMEOUT_MS = 1500;

beforeAll(async () => {
  [server, held, faulty] = await Promise.all([
    startServer({ dir, cores: 1, port: 0, grpcPort: 0 }),
    startServer({
      dir,
      cores: 1,
      port: 0,
      grpcPort: 0,
      maxDelayMs: 60_000,
      maxQueue: 1,
      requestTimeoutMs: HELD_TIMEOUT_MS,
      minDrainMs: 500,
    }),
    // The device fails every batch of bucket 32 (onnxruntime rejects its input) and of bucket 64 (the core's
    // worker dies and restarts), as real core failures would.
    startServer({
      dir,
      cores: 1,
      port: 0,
      grpcPort: 0,
      faultInjection: (bucket) => (bucket === 32 ? 'ort-error' : bucket === 64 ? 'exit' : undefined),
    }),
  ]);
  client = mrpcClient(server.grpcAddress);
  heldClient = mrpcClient(held.grpcAddress);
});

afterAll(async () => {
  client?.close();
  heldClient?.close();
  await Promise.all([server?.close(), held?.close(), faulty?.close()]);
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function expectError(p: Promise<HttpAnswer>, status: number, code: string, message?: RegExp) {
  const r = await p;
  expect(r.status, JSON.stringify(r.json)).toBe(status);
  expect(r.json.code).toBe(code);
  expect(typeof r.json.error).toBe('string');
  if (message) expect(r.json.error).toMatch(message);
  return r;
}

describe('bad requests', () => {
  const url = () => `${server.httpUrl}/v1/paraphrase`;

  it('malformed JSON, a non-object body, an empty body: 400 SRV_ERR_BAD_REQUEST', async () => {
    await expectError(post(url(), '{"text_a": "x", '), 400, 'SRV_ERR_BAD_REQUEST', /not valid JSON/);
    await expectError(post(url(), '[1, 2]'), 400, 'SRV_ERR_BAD_REQUEST', /JSON object/);
    await expectError(post(url(), ''), 400, 'SRV_ERR_BAD_REQUEST');
  });

  it('a missing or wrong-typed field: 400 naming the field', async () => {
    await expectError(post(url(), { text_a: 'x' }), 400, 'SRV_ERR_BAD_REQUEST', /text_b is missing/);
    await expectError(
      post(url(), { text_a: 3, text_b: 'y' }),
      400,
      'SRV_ERR_BAD_REQUEST',
      /text_a must be a string/,
    );
    await expectError(
      post(url(), { text_a: '', text_b: 'y' }),
      400,
      'SRV_ERR_BAD_REQUEST',
      /text_a is empty/,
    );
    await expectError(
      post(`${server.httpUrl}/v1/paraphrase/batch`, {
        pairs: [{ text_a: 'a', text_b: 'b' }, { text_a: 'a' }],
      }),
      400,
      'SRV_ERR_BAD_REQUEST',
      /pairs\[1\]\.text_b is missing/,
    );
    const many = Array.from({ length: 65 }, () => ({ text_a: 'a', text_b: 'b' }));
    await expectError(
      post(`${server.httpUrl}/v1/paraphrase/batch`, { pairs: many }),
      400,
      'SRV_ERR_BAD_REQUEST',
      /1 to 64/,
    );
  });

  it('text over 64 KiB: 400 SRV_ERR_TEXT_TOO_LONG; exactly 64 KiB is fine', async () => {
    await expectError(
      post(url(), { text_a: 'é'.repeat(MAX_TEXT_BYTES / 2 + 1), text_b: 'y' }),
      400,
      'SRV_ERR_TEXT_TOO_LONG',
      /65538 bytes/,
    );
    const ok = await post(url(), { text_a: 'word '.repeat(MAX_TEXT_BYTES / 5), text_b: 'y' });
    expect(ok.status, ok.text).toBe(200);
  });

  it('v2 tensors of the wrong dtype or shape, over-long or out of range: 400 SRV_ERR_TENSOR', async () => {
    const infer = (inputs: unknown[]) => post(`${server.httpUrl}/v2/models/bert/infer`, { inputs });
    const ids = (data: number[], shape = [1, data.length], datatype = 'INT64') => ({
      name: 'input_ids',
      shape,
      datatype,
      data,
    });
    const mask = (data: number[], shape = [1, data.length], datatype = 'INT64') => ({
      name: 'input_mask',
      shape,
      datatype,
      data,
    });
    await expectError(
      infer([ids([101, 102], [1, 2], 'FP32'), mask([1, 1])]),
      400,
      'SRV_ERR_TENSOR',
      /INT32 or INT64/,
    );
    await expectError(
      infer([ids([101, 102, 7], [1, 2]), mask([1, 1])]),
      400,
      'SRV_ERR_TENSOR',
      /holds 2 elements/,
    );
    await expectError(infer([ids([101, 102]), mask([1, 1, 1])]), 400, 'SRV_ERR_TENSOR', /must match/);
    await expectError(infer([ids([101, 102], [2])]), 400, 'SRV_ERR_TENSOR');
    const long = new Array<number>(129).fill(5);
    await expectError(
      infer([ids(long), mask(long.map(() => 1))]),
      400,
      'SRV_ERR_TENSOR',
      /largest compiled bucket 128/,
    );
    await expectError(infer([ids([101, 30522]), mask([1, 1])]), 400, 'SRV_ERR_TENSOR', /token ids/);
    await expectError(infer([ids([101, 102]), mask([1, 2])]), 400, 'SRV_ERR_TENSOR', /mask values/);
    await expectError(
      infer([{ name: 'pixels', shape: [1], datatype: 'FP32', data: [1] }]),
      400,
      'SRV_ERR_TENSOR',
      /unknown input/,
    );
    await expectError(
      infer([{ name: 'text_a', shape: [1], datatype: 'BYTES', data: ['a'] }, ids([101]), mask([1])]),
      400,
      'SRV_ERR_TENSOR',
      /not both/,
    );
    await expectError(
      post(`${server.httpUrl}/v2/models/bert/infer`, { inputs: 'x' }),
      400,
      'SRV_ERR_BAD_REQUEST',
    );
    await expectError(
      post(`${server.httpUrl}/v2/models/gpt/infer`, { inputs: [] }),
      404,
      'SRV_ERR_NOT_FOUND',
    );
  });

  it('unknown routes 404, a non-JSON body 415', async () => {
    await expectError(get(`${server.httpUrl}/v3/whatever`), 404, 'SRV_ERR_NOT_FOUND');
    await expectError(
      post(url(), 'text_a=x', { headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
      415,
      'SRV_ERR_MEDIA_TYPE',
    );
  });

  it('gRPC: empty text, invalid UTF-8 and text over 64 KiB are INVALID_ARGUMENT', async () => {
    const empty = await grpcError(paraphrase(client, '', 'b'));
    expect(empty.code).toBe(GrpcStatus.INVALID_ARGUMENT);
    expect(empty.details).toMatch(/^SRV_ERR_BAD_REQUEST: text_a is empty/);
    expect(empty.metadata.get('error-code')).toEqual(['SRV_ERR_BAD_REQUEST']);
    const invalid = await grpcError(paraphrase(client, 'a', Buffer.from([0x61, 0xff, 0xfe])));
    expect(invalid.code).toBe(GrpcStatus.INVALID_ARGUMENT);
    expect(invalid.details).toMatch(/text_b is not valid UTF-8/);
    const long = await grpcError(paraphrase(client, Buffer.alloc(MAX_TEXT_BYTES + 1, 0x61), 'b'));
    expect(long.code).toBe(GrpcStatus.INVALID_ARGUMENT);
    expect(long.details).toMatch(/^SRV_ERR_TEXT_TOO_LONG/);
    // And the server still answers.
    expect((await paraphrase(client, 'a', 'b')).message).toMatch(/paraphrase!$/);
  });

  it('every error was counted by endpoint and code; nothing broke the server', async () => {
    const m = (await get(`${server.httpUrl}/metrics`)).text;
    expect(
      metricValue(m, 'bert_requests_total', '{endpoint="v1_paraphrase",outcome="SRV_ERR_BAD_REQUEST"}'),
    ).toBe(6);
    expect(metricValue(m, 'bert_requests_total', '{endpoint="v2_infer",outcome="SRV_ERR_TENSOR"}')).toBe(9);
    expect(
      metricValue(m, 'bert_requests_total', '{endpoint="grpc_paraphrase",outcome="SRV_ERR_BAD_REQUEST"}'),
    ).toBe(2);
    expect((await get(`${server.httpUrl}/v2/health/ready`)).status).toBe(200);
  });
});

describe('overload, deadlines, disconnects (held server: max-queue 1, request timeout 1.5 s)', () => {
  it('a full queue: 429 with Retry-After over HTTP, RESOURCE_EXHAUSTED over gRPC; the waiting request times out 504', async () => {
    const t0 = performance.now();
    const waiting = post(`${held.httpUrl}/v1/paraphrase`, { text_a: 'first', text_b: 'request' });
    await sleep(100);
    const r = await expectError(
      post(`${held.httpUrl}/v1/paraphrase`, { text_a: 'second', text_b: 'request' }),
      429,
      'BAT_ERR_OVERLOADED',
    );
    expect(Number(r.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    await expectError(
      post(`${held.httpUrl}/v1/paraphrase/batch`, { pairs: [{ text_a: 'a', text_b: 'b' }] }),
      429,
      'BAT_ERR_OVERLOADED',
    );
    const e = await grpcError(paraphrase(heldClient, 'third', 'request'));
    expect(e.code).toBe(GrpcStatus.RESOURCE_EXHAUSTED);
    expect(e.details).toMatch(/^BAT_ERR_OVERLOADED/);
    expect(Number(e.metadata.get('retry-after')[0])).toBeGreaterThanOrEqual(1);
    await expectError(waiting, 504, 'BAT_ERR_DEADLINE');
    expect(performance.now() - t0).toBeGreaterThanOrEqual(HELD_TIMEOUT_MS - 50);
  });

  it('gRPC: the server-side request timeout is DEADLINE_EXCEEDED', async () => {
    const e = await grpcError(paraphrase(heldClient, 'a', 'b'));
    expect(e.code).toBe(GrpcStatus.DEADLINE_EXCEEDED);
    expect(e.details).toMatch(/^BAT_ERR_DEADLINE/);
  });

  it("gRPC: the client's deadline is honoured: its request leaves the queue when the deadline passes", async () => {
    const t0 = performance.now();
    const e = await grpcError(paraphrase(heldClient, 'a', 'b', 200));
    expect(e.code).toBe(GrpcStatus.DEADLINE_EXCEEDED);
    await sleep(150);
    // Well before the server's own 1.5 s timeout, the request is gone from the queue.
    expect(held.engine.queued()).toBe(0);
    expect(performance.now() - t0).toBeLessThan(HELD_TIMEOUT_MS - 300);
  });

  it('HTTP: a client that disconnects withdraws its waiting request', async () => {
    const before = held.engine.batcherStats()!.rejected.BAT_ERR_CANCELLED;
    const controller = new AbortController();
    const r = post(
      `${held.httpUrl}/v1/paraphrase`,
      { text_a: 'a', text_b: 'b' },
      { signal: controller.signal },
    );
    await sleep(150);
    expect(held.engine.queued()).toBe(1);
    controller.abort();
    await expect(r).rejects.toThrow();
    await sleep(100);
    expect(held.engine.queued()).toBe(0);
    expect(held.engine.batcherStats()!.rejected.BAT_ERR_CANCELLED).toBe(before + 1);
    const m = (await get(`${held.httpUrl}/metrics`)).text;
    expect(
      metricValue(m, 'bert_requests_total', '{endpoint="v1_paraphrase",outcome="BAT_ERR_CANCELLED"}'),
    ).toBe(1);
  });

  it('shutdown: ready turns false, new requests get 503 / UNAVAILABLE, the in-flight one is answered', async () => {
    const inflight = post(`${held.httpUrl}/v1/paraphrase`, { text_a: 'in', text_b: 'flight' });
    await sleep(100);
    expect(held.engine.queued()).toBe(1);
    const closing = held.close();
    // Draining dispatches the held batch at once: the in-flight request gets its answer.
    const answered = await inflight;
    expect(answered.status, answered.text).toBe(200);
    expect(answered.json.probabilities).toHaveLength(2);
    await expectError(
      post(`${held.httpUrl}/v1/paraphrase`, { text_a: 'late', text_b: 'x' }),
      503,
      'SRV_ERR_DRAINING',
    );
    const ready = await get(`${held.httpUrl}/v2/health/ready`);
    expect([ready.status, ready.json]).toEqual([503, { ready: false }]);
    const e = await grpcError(paraphrase(heldClient, 'late', 'x'));
    expect(e.code).toBe(GrpcStatus.UNAVAILABLE);
    expect(e.details).toMatch(/^SRV_ERR_DRAINING/);
    const summary = await closing;
    expect(summary.inferences).toBe(1);
    expect(held.state).toBe('closed');
    await expect(get(`${held.httpUrl}/v2/health/live`)).rejects.toThrow();
  });
});

describe('a failing batch', () => {
  const words = (n: number) => 'hello '.repeat(n).trim();

  it('500 BAT_ERR_BATCH_FAILED with the runtime cause / gRPC INTERNAL; a dead core restarts; the server goes on', async () => {
    const url = `${faulty.httpUrl}/v1/paraphrase`;
    expect((await post(url, { text_a: 'short', text_b: 'pair' })).status).toBe(200);
    // 23 tokens: bucket 32, whose batches throw.
    const r = await expectError(
      post(url, { text_a: words(10), text_b: words(10) }),
      500,
      'BAT_ERR_BATCH_FAILED',
    );
    expect(r.json.cause).toBe('NRT_ERR_CORE_FAILED');
    const e = await grpcError(paraphrase(mrpcClient(faulty.grpcAddress), words(10), words(10)));
    expect(e.code).toBe(GrpcStatus.INTERNAL);
    expect(e.details).toMatch(/^BAT_ERR_BATCH_FAILED/);
    // 43 tokens: bucket 64, whose batches kill the core.
    await expectError(post(url, { text_a: words(20), text_b: words(20) }), 500, 'BAT_ERR_BATCH_FAILED');
    // The core comes back after its restart delay and serves again.
    const after = await post(url, { text_a: 'short', text_b: 'pair' });
    expect(after.status, after.text).toBe(200);
    const m = (await get(`${faulty.httpUrl}/metrics`)).text;
    expect(metricValue(m, 'bert_executions_total', '{bucket="32",outcome="failed"}')).toBe(2);
    expect(metricValue(m, 'bert_executions_total', '{bucket="64",outcome="failed"}')).toBe(1);
    expect(metricValue(m, 'bert_core_restarts_total', '{core="0"}')).toBe(1);
    expect(metricValue(m, 'bert_inferences_total')).toBe(2);
  });
});

describe('startup errors', () => {
  it('--batch different from the artifact: SRV_ERR_BATCH_MISMATCH saying both', async () => {
    const e = await startServer({ dir, batch: 4, port: 0, grpcPort: 0 }).catch((x: Error) => x);
    expect((e as { code?: string }).code).toBe('SRV_ERR_BATCH_MISMATCH');
    expect((e as Error).message).toMatch(/--batch 4 .* compiled for batch 6/);
  });

  it('a missing artifact: the runtime code', async () => {
    const e = await startServer({ dir: `${dir}-missing`, port: 0, grpcPort: 0 }).catch((x: Error) => x);
    expect((e as { code?: string }).code).toBe('NRT_ERR_ARTIFACT_MISSING');
  });

  it('a port in use: SRV_ERR_LISTEN, and nothing left open', async () => {
    const e = await startServer({ dir, port: server.httpPort, grpcPort: 0, cores: 1 }).catch((x: Error) => x);
    expect((e as { code?: string }).code).toBe('SRV_ERR_LISTEN');
  });
});
