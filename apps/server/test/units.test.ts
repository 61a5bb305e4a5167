// The pieces on their own: the error mapping, the flags, class scores, the model interface, batch
// stacking, the throughput meter.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BatcherError } from '@bert-neuron/batcher';
import { type ArtifactManifest, NeuronRuntimeError } from '@bert-neuron/neuron-runtime';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { describe, expect, inject, it } from 'vitest';
import {
  classScores,
  dummyPair,
  errorStatus,
  parseCliArgs,
  resolveModelIo,
  ServerError,
  softmax,
  stackBatch,
  ThroughputMeter,
} from '../src/index.js';

const manifest = JSON.parse(
  readFileSync(join(inject('artifactDir'), 'manifest.json'), 'utf8'),
) as ArtifactManifest;

describe('errorStatus', () => {
  it('maps every code to its HTTP and gRPC status', () => {
    const cases: [unknown, number, GrpcStatus, string][] = [
      [new ServerError('SRV_ERR_BAD_REQUEST', 'x'), 400, GrpcStatus.INVALID_ARGUMENT, 'SRV_ERR_BAD_REQUEST'],
      [
        new ServerError('SRV_ERR_TEXT_TOO_LONG', 'x'),
        400,
        GrpcStatus.INVALID_ARGUMENT,
        'SRV_ERR_TEXT_TOO_LONG',
      ],
      [new ServerError('SRV_ERR_TENSOR', 'x'), 400, GrpcStatus.INVALID_ARGUMENT, 'SRV_ERR_TENSOR'],
      [new ServerError('SRV_ERR_NOT_READY', 'x'), 503, GrpcStatus.UNAVAILABLE, 'SRV_ERR_NOT_READY'],
      [new ServerError('SRV_ERR_DRAINING', 'x'), 503, GrpcStatus.UNAVAILABLE, 'SRV_ERR_DRAINING'],
      [new BatcherError('BAT_ERR_TOO_LONG', 'x'), 400, GrpcStatus.INVALID_ARGUMENT, 'BAT_ERR_TOO_LONG'],
      [new BatcherError('BAT_ERR_DEADLINE', 'x'), 504, GrpcStatus.DEADLINE_EXCEEDED, 'BAT_ERR_DEADLINE'],
      [
        new BatcherError('BAT_ERR_BATCH_TIMEOUT', 'x'),
        504,
        GrpcStatus.DEADLINE_EXCEEDED,
        'BAT_ERR_BATCH_TIMEOUT',
      ],
      [new BatcherError('BAT_ERR_CLOSED', 'x'), 503, GrpcStatus.UNAVAILABLE, 'BAT_ERR_CLOSED'],
      [new BatcherError('BAT_ERR_CANCELLED', 'x'), 499, GrpcStatus.CANCELLED, 'BAT_ERR_CANCELLED'],
      [new NeuronRuntimeError('NRT_ERR_CORE_FAILED', 'x'), 500, GrpcStatus.INTERNAL, 'NRT_ERR_CORE_FAILED'],
      [new NeuronRuntimeError('NRT_ERR_CLOSED', 'x'), 503, GrpcStatus.UNAVAILABLE, 'NRT_ERR_CLOSED'],
      [new TypeError('boom'), 500, GrpcStatus.INTERNAL, 'SRV_ERR_INTERNAL'],
    ];
    for (const [error, http, grpc, code] of cases)
      expect(errorStatus(error)).toMatchObject({ http, grpc, code });
  });

  it('429 carries whole seconds of Retry-After; a failed batch names its cause', () => {
    expect(errorStatus(new BatcherError('BAT_ERR_OVERLOADED', 'full', { retryAfterMs: 1200 }))).toMatchObject(
      {
        http: 429,
        grpc: GrpcStatus.RESOURCE_EXHAUSTED,
        retryAfterSeconds: 2,
      },
    );
    expect(
      errorStatus(new BatcherError('BAT_ERR_OVERLOADED', 'full', { retryAfterMs: 3 })).retryAfterSeconds,
    ).toBe(1);
    const failed = new BatcherError('BAT_ERR_BATCH_FAILED', 'its batch failed', {
      cause: new NeuronRuntimeError('NRT_ERR_CORE_FAILED', 'core 1 died'),
    });
    expect(errorStatus(failed)).toMatchObject({
      http: 500,
      grpc: GrpcStatus.INTERNAL,
      code: 'BAT_ERR_BATCH_FAILED',
      causeCode: 'NRT_ERR_CORE_FAILED',
      message: 'its batch failed: NRT_ERR_CORE_FAILED: core 1 died',
    });
  });
});

describe('parseCliArgs', () => {
  it('applies the reference defaults', () => {
    expect(parseCliArgs(['--dir', 'a'])).toMatchObject({
      dir: 'a',
      batch: 6,
      parallel: undefined,
      threadsPerCore: 1,
      host: '127.0.0.1',
      port: 8080,
      grpcPort: 60061,
      maxDelayMs: 0,
      maxQueue: 4096,
      requestTimeoutMs: 30_000,
      bootstrap: false,
      bootstrapSeconds: 10,
      quiet: false,
    });
  });

  it('reads every flag and rejects bad ones with SRV_ERR_USAGE', () => {
    const a = parseCliArgs(
      '--dir d --batch 4 --parallel 3 --threads-per-core 2 --host 0.0.0.0 --port 0 --grpc-port 0 --max-delay-ms 2.5 --max-queue 9 --request-timeout-ms 100 --bootstrap --bootstrap-seconds 0 --data x.tsv --quiet'.split(
        ' ',
      ),
    );
    expect(a).toMatchObject({
      batch: 4,
      parallel: 3,
      threadsPerCore: 2,
      host: '0.0.0.0',
      port: 0,
      maxDelayMs: 2.5,
    });
    expect(a).toMatchObject({
      maxQueue: 9,
      requestTimeoutMs: 100,
      bootstrap: true,
      bootstrapSeconds: 0,
      data: 'x.tsv',
      quiet: true,
    });
    for (const bad of [
      [],
      ['--dir', 'd', '--port', '70000'],
      ['--dir', 'd', '--batch', '0'],
      ['--dir', 'd', 'extra'],
      ['--dir', 'd', '--bootstrap-seconds', '3'],
    ])
      expect(() => parseCliArgs(bad), bad.join(' ')).toThrow(
        expect.objectContaining({ code: 'SRV_ERR_USAGE' }),
      );
    expect(parseCliArgs(['--help']).help).toBe(true);
  });
});

describe('class scores', () => {
  const io = resolveModelIo(manifest);

  it('softmax of the logits row by row, argmax as the prediction', () => {
    const logits = Float32Array.of(0, 0, 2, -1, -3, 1);
    const scores = classScores(io, { logits: { dtype: 'float32', dims: [3, 2], data: logits } }, 3);
    expect(scores[0]).toEqual({ probabilities: [0.5, 0.5], prediction: 0 });
    expect(scores[1]!.probabilities[0]).toBeCloseTo(Math.exp(3) / (1 + Math.exp(3)), 12);
    expect(scores[1]!.prediction).toBe(0);
    expect(scores[2]!.prediction).toBe(1);
    expect(softmax([1000, 1000])).toEqual([0.5, 0.5]);
  });

  it('probabilities taken as they are; float16 outputs decoded', () => {
    const probIo = {
      ...io,
      output: { name: 'p', kind: 'probabilities' as const, dtype: 'float16' as const },
    };
    // 0.25 = 0x3400, 0.75 = 0x3a00 in IEEE half precision.
    const scores = classScores(
      probIo,
      { p: { dtype: 'float16', dims: [1, 2], data: Uint16Array.of(0x3400, 0x3a00) } },
      1,
    );
    expect(scores[0]).toEqual({ probabilities: [0.25, 0.75], prediction: 1 });
  });
});

describe('resolveModelIo', () => {
  it('reads the tiny artifact: int64 inputs by role, logits, buckets', () => {
    const io = resolveModelIo(manifest);
    expect(io.inputs.map((i) => `${i.name}:${i.dtype}:${i.role}`)).toEqual([
      'input_ids:int64:input_ids',
      'attention_mask:int64:attention_mask',
      'token_type_ids:int64:token_type_ids',
    ]);
    expect(io.output).toEqual({ name: 'logits', kind: 'logits', dtype: 'float32' });
    expect([io.batchSize, io.buckets, io.maxBucket, io.vocabSize]).toEqual([
      6,
      [16, 32, 64, 128],
      128,
      30522,
    ]);
  });

  it('refuses artifacts the mrpc service cannot answer with: SRV_ERR_ARTIFACT', () => {
    const qa = { ...manifest, head: 'question-answering' } as ArtifactManifest;
    expect(() => resolveModelIo(qa)).toThrow(expect.objectContaining({ code: 'SRV_ERR_ARTIFACT' }));
    const three = {
      ...manifest,
      signature: { ...manifest.signature, outputs: [{ ...manifest.signature.outputs[0]!, shape: [6, 3] }] },
    } as ArtifactManifest;
    expect(() => resolveModelIo(three)).toThrow(/\[batch, 2\]/);
  });
});

describe('stackBatch', () => {
  it('rows by role, zero padding, positions, int32 and int64', () => {
    const io = {
      ...resolveModelIo(manifest),
      inputs: [
        { name: 'ids', dtype: 'int32' as const, role: 'input_ids' as const },
        { name: 'mask', dtype: 'int64' as const, role: 'attention_mask' as const },
        { name: 'pos', dtype: 'int32' as const, role: 'position_ids' as const },
        { name: 'label', dtype: 'int32' as const, role: 'unused' as const },
      ],
    };
    const item = {
      inputIds: Int32Array.of(101, 7, 8, 102),
      inputMask: Int32Array.of(1, 1, 1, 1),
      segmentIds: new Int32Array(4),
      length: 4,
    };
    const feeds = stackBatch(io, [item, dummyPair(101, 102)], 5);
    expect([...feeds.ids!.data]).toEqual([101, 7, 8, 102, 0, 101, 102, 102, 0, 0]);
    expect([...feeds.mask!.data]).toEqual([1n, 1n, 1n, 1n, 0n, 1n, 1n, 1n, 0n, 0n]);
    expect([...feeds.pos!.data]).toEqual([0, 1, 2, 3, 4, 0, 1, 2, 3, 4]);
    expect([...feeds.label!.data]).toEqual(new Array(10).fill(0));
    expect(feeds.ids!.dims).toEqual([2, 5]);
  });
});

describe('ThroughputMeter', () => {
  it('prints the real inferences of each interval, then the average', async () => {
    const lines: string[] = [];
    const meter = new ThroughputMeter({
      print: (l) => lines.push(l),
      intervalMs: 50,
      suffix: () => 'accuracy 0.5000',
    });
    meter.start();
    meter.add(6);
    meter.add(1);
    await new Promise((r) => setTimeout(r, 80));
    meter.add(2);
    await new Promise((r) => setTimeout(r, 60));
    const summary = meter.stop();
    expect(lines.slice(0, 2)).toEqual([
      'current throughput 7, accuracy 0.5000',
      'current throughput 2, accuracy 0.5000',
    ]);
    expect(summary.inferences).toBe(9);
    expect(summary.perSecond).toBeCloseTo(9 / summary.seconds, 6);
  });
});
