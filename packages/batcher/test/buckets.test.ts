import { describe, expect, it } from 'vitest';
import { Batcher, BatcherError, isBatcherError } from '../src/index.js';
import { codeOf, flush, harness, track } from './helpers.js';

describe('buckets', () => {
  it('puts an item in the smallest bucket that holds its length', async () => {
    const h = harness({ buckets: [8, 16, 32], maxDelayMs: 1 });
    for (const [x, len] of [
      ['a', 1],
      ['b', 8],
      ['c', 9],
      ['d', 16],
      ['e', 17],
      ['f', 32],
    ] as const)
      h.submit(x, len);
    expect(h.batcher.stats().queueDepthByBucket).toEqual([2, 2, 2]);
    h.clock.advance(1); // all overdue: buckets go in order of their oldest item
    expect(
      h.calls.map((c) => [c.input.bucket, c.input.bucketIndex, c.input.items.slice(0, c.input.realCount)]),
    ).toEqual([[8, 0, ['a', 'b']]]);
    expect(h.calls[0]!.input.lengths).toEqual([1, 8]);
    h.calls[0]!.resolve();
    await flush();
    h.calls[1]!.resolve();
    await flush();
    expect(h.calls.map((c) => c.input.bucket)).toEqual([8, 16, 32]);
    expect(h.calls[2]!.input.items).toEqual(['e', 'f', 'pad32', 'pad32']);
  });

  it('rejects a length above the largest bucket at once with BAT_ERR_TOO_LONG, never queueing it', async () => {
    const h = harness({ buckets: [8, 16] });
    const p = h.batcher.submit('x', { length: 17 });
    await expect(p).rejects.toMatchObject({ code: 'BAT_ERR_TOO_LONG' });
    await expect(p).rejects.toThrow(
      /above the largest bucket \(16\); truncate the input to at most 16 tokens/,
    );
    expect(h.calls).toHaveLength(0);
    expect(h.batcher.stats().rejected.BAT_ERR_TOO_LONG).toBe(1);
  });

  it('rejects a missing or non-integer length with BAT_ERR_ARGUMENT', async () => {
    const h = harness();
    for (const length of [0, -1, 1.5, Number.NaN, undefined]) {
      const t = track(h.batcher.submit('x', { length: length as number }));
      await flush();
      expect(codeOf(t)).toBe('BAT_ERR_ARGUMENT');
    }
    const badSignal = track(h.batcher.submit('x', { length: 1, signal: {} as AbortSignal }));
    await flush();
    expect(codeOf(badSignal)).toBe('BAT_ERR_ARGUMENT');
    expect(h.calls).toHaveLength(0);
    expect(h.batcher.stats().queueDepth).toBe(0);
  });

  it('the oldest waiting item picks the bucket; FIFO within it; a batch never mixes buckets', async () => {
    const h = harness({ buckets: [8, 16] });
    h.submit('first', 2); // runs alone
    h.submit('L1', 10);
    h.submit('s1', 2);
    h.submit('L2', 10);
    h.submit('s2', 2);
    h.submit('s3', 2);
    h.calls[0]!.resolve();
    await flush();
    expect(h.calls[1]!.input.items).toEqual(['L1', 'L2', 'pad16', 'pad16']);
    h.calls[1]!.resolve();
    await flush();
    expect(h.calls[2]!.input.items).toEqual(['s1', 's2', 's3', 'pad8']);
  });

  it('validates constructor options with BAT_ERR_ARGUMENT', () => {
    const base = { batchSize: 2, buckets: [8], lanes: 1, run: () => [], pad: () => 0 };
    for (const bad of [
      { batchSize: 0 },
      { lanes: 1.5 },
      { buckets: [] },
      { buckets: [16, 8] },
      { buckets: [8, 8] },
      { maxDelayMs: -1 },
      { maxQueue: 0 },
      { maxQueue: Number.POSITIVE_INFINITY },
      { runTimeoutMs: 0 },
      { pad: undefined },
    ]) {
      let err: unknown;
      try {
        new Batcher({ ...base, ...bad } as never);
      } catch (e) {
        err = e;
      }
      expect(isBatcherError(err, 'BAT_ERR_ARGUMENT'), JSON.stringify(bad)).toBe(true);
    }
    expect(new Batcher(base).maxQueue).toBe(1024);
    expect(new BatcherError('BAT_ERR_CLOSED', 'x')).toBeInstanceOf(Error);
  });
});
