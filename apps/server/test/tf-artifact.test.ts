// A second artifact shape: as tf2onnx exports google-research BERT for MRPC serving (the reference's
// model): int32 inputs named input_ids / input_mask / segment_ids, a probabilities output (taken as
// it is, no softmax), mixed precision, batch 4, buckets 32 and 128.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type RunningServer, startServer } from '../src/index.js';
import { mrpcClient, paraphrase } from './support/grpc-client.js';
import { get, post } from './support/http-client.js';
import { mrpcPairs } from './support/mrpc-pairs.js';
import { ReferenceModel } from './support/reference-model.js';

const dir = inject('tfArtifactDir');
let server: RunningServer;
let ref: ReferenceModel;

beforeAll(async () => {
  server = await startServer({ dir, batch: 4, cores: 1, port: 0, grpcPort: 0 });
  ref = await ReferenceModel.open(dir);
});

afterAll(async () => {
  await server?.close();
  await ref?.close();
});

describe('tf-google artifact (int32, probabilities, mixed precision)', () => {
  it('answers HTTP, gRPC and v2 INT32 requests as the direct computation does', async () => {
    expect(ref.manifest.signature.inputs.map((i) => `${i.name}:${i.dtype}`)).toEqual([
      'input_ids:int32',
      'input_mask:int32',
      'segment_ids:int32',
    ]);
    expect(ref.manifest.signature.outputs[0]!.role).toBe('probabilities');
    const pairs = mrpcPairs(12);
    const client = mrpcClient(server.grpcAddress);
    try {
      const answers = await Promise.all(
        pairs.map((p, i) =>
          i % 3 === 0
            ? paraphrase(client, p.textA, p.textB)
            : post(`${server.httpUrl}/v1/paraphrase`, { text_a: p.textA, text_b: p.textB }),
        ),
      );
      for (const [i, p] of pairs.entries()) {
        const expected = await ref.probabilities(ref.rowOfText(p.textA, p.textB));
        const a = answers[i]!;
        if ('status' in a) {
          expect(a.status, a.text).toBe(200);
          for (const c of [0, 1])
            expect(Math.abs(a.json.probabilities[c] - expected[c]!)).toBeLessThanOrEqual(1e-6);
        } else expect(a.prediction).toBe(expected[1]! > expected[0]! ? '1' : '0');
      }
    } finally {
      client.close();
    }
    const row = ref.rowOfText('a short pair', 'of sentences');
    const v2 = await post(`${server.httpUrl}/v2/models/bert/infer`, {
      inputs: [
        { name: 'input_ids', shape: [1, row.ids.length], datatype: 'INT32', data: row.ids },
        { name: 'input_mask', shape: [1, row.ids.length], datatype: 'INT32', data: row.mask },
        { name: 'segment_ids', shape: [1, row.ids.length], datatype: 'INT32', data: row.segments },
      ],
    });
    expect(v2.status, v2.text).toBe(200);
    const expected = await ref.probabilities(row);
    for (const c of [0, 1])
      expect(Math.abs(v2.json.outputs[0].data[c] - expected[c]!)).toBeLessThanOrEqual(1e-6);
    const meta = await get(`${server.httpUrl}/v2/models/bert`);
    expect(meta.json.inputs[0]).toEqual({ name: 'input_ids', datatype: 'INT32', shape: [-1, -1] });
    expect(meta.json.parameters).toMatchObject({ batch_size: 4, buckets: [32, 128], precision: 'mixed' });
  });
});
