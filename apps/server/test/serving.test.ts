// End to end: a real server on ephemeral ports with the tiny artifact (2 cores, batch 6), real
// clients (undici, @grpc/grpc-js), answers checked against a direct in-process computation.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type RunningServer, startServer } from '../src/index.js';
import { mrpcClient, paraphrase } from './support/grpc-client.js';
import { get, post } from './support/http-client.js';
import { metricSum, metricValue } from './support/metric-value.js';
import { mrpcPairs } from './support/mrpc-pairs.js';
import { ReferenceModel, type Row } from './support/reference-model.js';

const dir = inject('artifactDir');
let server: RunningServer;
let ref: ReferenceModel;
let client: ReturnType<typeof mrpcClient>;
/** Pairs answered successfully so far (every one is a real inference). */
let served = 0;

beforeAll(async () => {
  server = await startServer({ dir, batch: 6, cores: 2, port: 0, grpcPort: 0 });
  ref = await ReferenceModel.open(dir);
  client = mrpcClient(server.grpcAddress);
});

afterAll(async () => {
  client?.close();
  await server?.close();
  await ref?.close();
});

function expectClose(actual: readonly number[], expected: readonly number[]): void {
  expect(actual).toHaveLength(expected.length);
  for (let i = 0; i < expected.length; i++)
    expect(Math.abs(actual[i]! - expected[i]!)).toBeLessThanOrEqual(1e-6);
}

function expectAnswer(
  body: { prediction: number; label: string; message: string; probabilities: number[] },
  p: number[],
) {
  expectClose(body.probabilities, p);
  const yes = p[1]! > p[0]!;
  expect(body.prediction).toBe(yes ? 1 : 0);
  expect(body.label).toBe(yes ? 'paraphrase' : 'not paraphrase');
  expect(body.message).toBe(yes ? 'paraphrase!' : 'not paraphrase!');
  expect(body.probabilities[0]! + body.probabilities[1]!).toBeCloseTo(1, 12);
}

describe('bert-server end to end', () => {
  it('starts on ephemeral ports and reports its addresses', () => {
    expect(server.httpUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.grpcAddress).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(server.httpPort).toBeGreaterThan(0);
    expect(server.state).toBe('ready');
  });

  it('answers 60 concurrent HTTP and gRPC requests with the probabilities of a direct computation', async () => {
    const pairs = mrpcPairs(60);
    const answers = await Promise.all(
      pairs.map(async (p, i) => {
        if (i % 2 === 0) {
          const r = await post(`${server.httpUrl}/v1/paraphrase`, { text_a: p.textA, text_b: p.textB });
          expect(r.status, r.text).toBe(200);
          return { kind: 'http' as const, body: r.json };
        }
        return { kind: 'grpc' as const, reply: await paraphrase(client, p.textA, p.textB) };
      }),
    );
    served += pairs.length;
    for (const [i, a] of answers.entries()) {
      const p = pairs[i]!;
      const expected = await ref.probabilities(ref.rowOfText(p.textA, p.textB));
      if (a.kind === 'http') expectAnswer(a.body, expected);
      else {
        const yes = expected[1]! > expected[0]!;
        expect(a.reply).toEqual({
          message: yes ? 'paraphrase!' : 'not paraphrase!',
          prediction: yes ? '1' : '0',
        });
      }
    }
    // The requests were batched: fewer batches than requests, and some batch held several.
    const stats = server.engine.batcherStats()!;
    expect(stats.batches).toBeLessThan(pairs.length);
    expect(stats.batchSizeHistogram.slice(2).some((n) => n > 0)).toBe(true);
    // Short pairs ran in short buckets (the reference padded everything to 128).
    const buckets = new Set(pairs.map((p) => ref.bucketOf(ref.rowOfText(p.textA, p.textB).ids.length)));
    expect(buckets.size).toBeGreaterThan(1);
  });

  it('batch endpoint: answers every pair in order', async () => {
    const pairs = mrpcPairs(70).slice(60);
    const r = await post(`${server.httpUrl}/v1/paraphrase/batch`, {
      pairs: pairs.map((p) => ({ text_a: p.textA, text_b: p.textB })),
    });
    expect(r.status, r.text).toBe(200);
    served += pairs.length;
    expect(r.json.results).toHaveLength(pairs.length);
    for (const [i, p] of pairs.entries())
      expectAnswer(r.json.results[i], await ref.probabilities(ref.rowOfText(p.textA, p.textB)));
  });

  it('truncates a long pair to the largest bucket, as the reference truncates to max length', async () => {
    const a = 'the quick brown fox jumps over the lazy dog '.repeat(20);
    const b = 'a fast auburn fox leaped above an idle hound '.repeat(15);
    const r = await post(`${server.httpUrl}/v1/paraphrase`, { text_a: a, text_b: b });
    expect(r.status, r.text).toBe(200);
    served += 1;
    const row = ref.rowOfText(a, b);
    expect(row.ids).toHaveLength(128);
    expectAnswer(r.json, await ref.probabilities(row));
  });

  it('v2 infer with INT64 tensors: rows of different real lengths, flat data', async () => {
    const rows: Row[] = mrpcPairs(3).map((p) => ref.rowOfText(p.textA, p.textB));
    const s = Math.max(...rows.map((r) => r.ids.length)) + 5; // padded past the longest row
    const flat = (pick: (r: Row) => readonly number[]) =>
      rows.flatMap((r) => [...pick(r), ...new Array<number>(s - r.ids.length).fill(0)]);
    const r = await post(`${server.httpUrl}/v2/models/bert/infer`, {
      id: 'req-1',
      inputs: [
        { name: 'input_ids', shape: [3, s], datatype: 'INT64', data: flat((x) => x.ids) },
        { name: 'input_mask', shape: [3, s], datatype: 'INT64', data: flat((x) => x.mask) },
        { name: 'segment_ids', shape: [3, s], datatype: 'INT64', data: flat((x) => x.segments) },
      ],
    });
    expect(r.status, r.text).toBe(200);
    served += 3;
    expect(r.json.model_name).toBe('bert');
    expect(r.json.id).toBe('req-1');
    const [probs, pred] = r.json.outputs;
    expect(probs).toMatchObject({ name: 'probabilities', datatype: 'FP32', shape: [3, 2] });
    expect(pred).toMatchObject({ name: 'prediction', datatype: 'INT64', shape: [3] });
    for (const [i, row] of rows.entries()) {
      const expected = await ref.probabilities(row);
      expectClose(probs.data.slice(2 * i, 2 * i + 2), expected);
      expect(pred.data[i]).toBe(expected[1]! > expected[0]! ? 1 : 0);
    }
  });

  it('v2 infer with INT32 tensors given nested, one requested output, default segment ids', async () => {
    const row = ref.rowOfText('hello world', 'hi');
    const r = await post(`${server.httpUrl}/v2/models/bert/versions/1/infer`, {
      inputs: [
        { name: 'input_ids', shape: [1, row.ids.length], datatype: 'INT32', data: [row.ids] },
        { name: 'attention_mask', shape: [1, row.ids.length], datatype: 'INT32', data: [row.mask] },
      ],
      outputs: [{ name: 'probabilities' }],
    });
    expect(r.status, r.text).toBe(200);
    served += 1;
    expect(r.json.outputs).toHaveLength(1);
    expectClose(r.json.outputs[0].data, await ref.probabilities({ ...row, segments: row.ids.map(() => 0) }));
  });

  it('v2 infer with BYTES text_a / text_b', async () => {
    const pairs = mrpcPairs(75).slice(70);
    const r = await post(`${server.httpUrl}/v2/models/bert/infer`, {
      inputs: [
        { name: 'text_a', shape: [pairs.length], datatype: 'BYTES', data: pairs.map((p) => p.textA) },
        { name: 'text_b', shape: [pairs.length], datatype: 'BYTES', data: pairs.map((p) => p.textB) },
      ],
    });
    expect(r.status, r.text).toBe(200);
    served += pairs.length;
    for (const [i, p] of pairs.entries())
      expectClose(
        r.json.outputs[0].data.slice(2 * i, 2 * i + 2),
        await ref.probabilities(ref.rowOfText(p.textA, p.textB)),
      );
  });

  it('v2 health, readiness and metadata', async () => {
    expect((await get(`${server.httpUrl}/v2/health/live`)).json).toEqual({ live: true });
    const ready = await get(`${server.httpUrl}/v2/health/ready`);
    expect([ready.status, ready.json]).toEqual([200, { ready: true }]);
    const modelReady = await get(`${server.httpUrl}/v2/models/bert/ready`);
    expect([modelReady.status, modelReady.json]).toEqual([200, { ready: true }]);
    const meta = await get(`${server.httpUrl}/v2/models/bert`);
    expect(meta.status).toBe(200);
    expect(meta.json).toMatchObject({ name: 'bert', versions: ['1'], platform: 'bert-neuron' });
    expect(meta.json.inputs).toEqual(
      expect.arrayContaining([
        { name: 'input_ids', datatype: 'INT64', shape: [-1, -1] },
        { name: 'text_a', datatype: 'BYTES', shape: [-1] },
      ]),
    );
    expect(meta.json.outputs).toEqual([
      { name: 'probabilities', datatype: 'FP32', shape: [-1, 2] },
      { name: 'prediction', datatype: 'INT64', shape: [-1] },
    ]);
    expect(meta.json.parameters).toMatchObject({ batch_size: 6, buckets: [16, 32, 64, 128], cores: 2 });
    expect((await get(`${server.httpUrl}/v2`)).json).toMatchObject({ name: 'bert-server' });
    expect((await get(`${server.httpUrl}/v2/models/other`)).status).toBe(404);
  });

  it('serves its OpenAPI description at /docs', async () => {
    const r = await get(`${server.httpUrl}/docs`);
    expect(r.status).toBe(200);
    expect(r.json.openapi).toMatch(/^3\./);
    expect(Object.keys(r.json.paths)).toEqual(
      expect.arrayContaining([
        '/v1/paraphrase',
        '/v1/paraphrase/batch',
        '/v2/models/{name}/infer',
        '/metrics',
      ]),
    );
  });

  it('metrics: the families, with values that add up', async () => {
    const r = await get(`${server.httpUrl}/metrics`);
    expect(r.status).toBe(200);
    expect(String(r.headers['content-type'])).toMatch(/^text\/plain/);
    const m = r.text;
    for (const family of [
      'bert_requests_total',
      'bert_inferences_total',
      'bert_executions_total',
      'bert_slots_total',
      'bert_tokens_total',
      'bert_queue_seconds',
      'bert_compute_seconds',
      'bert_pending_requests',
      'bert_core_busy_seconds_total',
      'process_cpu_user_seconds_total',
    ])
      expect(m).toContain(`# TYPE ${family} `);
    const inferences = metricValue(m, 'bert_inferences_total');
    const executions = metricSum(m, 'bert_executions_total');
    const real = metricValue(m, 'bert_slots_total', '{kind="real"}');
    const padded = metricValue(m, 'bert_slots_total', '{kind="padded"}');
    expect(inferences).toBe(served);
    expect(real).toBe(served);
    expect(padded).toBe(executions * 6 - real);
    expect(metricValue(m, 'bert_requests_total', '{endpoint="grpc_paraphrase",outcome="ok"}')).toBe(30);
    expect(metricValue(m, 'bert_requests_total', '{endpoint="v1_paraphrase",outcome="ok"}')).toBe(31);
    expect(metricValue(m, 'bert_queue_seconds_count')).toBe(served);
    expect(metricSum(m, 'bert_compute_seconds_count')).toBe(executions);
    expect(metricValue(m, 'bert_pending_requests')).toBe(0);
    expect(metricValue(m, 'bert_tokens_total', '{kind="real"}')).toBeGreaterThan(served * 3);
    // Both cores worked.
    expect(metricValue(m, 'bert_core_busy_seconds_total', '{core="0"}')).toBeGreaterThan(0);
    expect(metricValue(m, 'bert_core_busy_seconds_total', '{core="1"}')).toBeGreaterThan(0);
    expect(
      metricValue(m, 'bert_core_batches_total', '{core="0"}') +
        metricValue(m, 'bert_core_batches_total', '{core="1"}'),
    ).toBe(executions);
  });
});
